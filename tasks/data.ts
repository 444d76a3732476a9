/** `deno task data`: generate the world, its splits and fine-tuning sets under data/. */
import { dataStage } from "../src/stages/data.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("data"), (e) => dataStage(e.run));
