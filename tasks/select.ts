/** `deno task select`: choose the block strength λ on the selection split. */
import { selectStage } from "../src/stages/select.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(stageUsage("select"), (e) => selectStage(e.run, e.key));
