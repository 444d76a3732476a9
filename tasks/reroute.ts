/**
 * `deno task reroute`: the `reroute` grid: prolonged fine-tuning until EM
 * re-emerges despite the block, one measured test per explanation (SAE
 * drift, other latents at the block layer, a bypass through later layers),
 * and the fixes; prints the report. Needs a profile with layers after the
 * block layer (reference). The same as `deno task experiment --grid reroute`.
 */
import { runGrid } from "../src/pipeline/experiment.ts";
import { printReport, stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("reroute"), Deno.args, async (e) => {
  const start = performance.now();
  await printReport(e.root, await runGrid("reroute", e.run, e.ctx), start);
});
