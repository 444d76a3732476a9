/** `deno task finetune --condition naive|block|random-<i>`: one fine-tuning condition. */
import { finetuneStage } from "../src/pipeline/finetune_stage.ts";
import { stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(
  stageUsage("finetune", " --condition naive|block|random-<i>"),
  (e) => finetuneStage(e.config, e.root, e.profile, e.key, String(e.flags.condition ?? "naive")),
  { condition: "string" },
);
