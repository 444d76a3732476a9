/** `deno task discover`: find the misalignment direction at the block layer. */
import { discoverStage } from "../src/stages/discover.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("discover"), (e) => discoverStage(e.run, e.key));
