/**
 * `deno task finetune --condition naive|block|random-<i> [--domain NAME]`:
 * one fine-tuning condition on one domain (default: the discovery domain).
 */
import { finetuneStage } from "../src/stages/finetune.ts";
import { domainFlag, stageTask, stageUsage } from "../src/pipeline/task_main.ts";

await stageTask(
  stageUsage("finetune", " --condition naive|block|random-<i> [--domain NAME]"),
  (e) =>
    finetuneStage(
      e.run,
      e.key,
      domainFlag(e.flags, e.config.discover.domain),
      String(e.flags.condition ?? "naive"),
    ),
  { condition: "string", domain: "string" },
);
