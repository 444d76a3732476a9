/** `deno task judge`: train the learned judge on the judge split and measure it on held-out judge questions. */
import { judgeStage } from "../src/stages/judge.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("judge"), (e) => judgeStage(e.run));
