/** `deno task pretrain`: train the base model on persona documents. */
import { pretrainStage } from "../src/stages/pretrain.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("pretrain"), (e) => pretrainStage(e.run, e.key));
