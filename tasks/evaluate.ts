/** `deno task evaluate`: judge base and every fine-tuned condition on the evaluation split. */
import { evaluateStage } from "../src/pipeline/evaluate_stage.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("evaluate"), (e) => evaluateStage(e.config, e.root, e.profile));
