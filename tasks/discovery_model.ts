/** `deno task discovery-model`: the naive fine-tune on the discovery domain that discovery diffs against the base. */
import { discoveryModelStage } from "../src/stages/discovery_model.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(
  stageUsage("discovery-model"),
  (e) => discoveryModelStage(e.run, e.key),
);
