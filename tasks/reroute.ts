/**
 * `deno task reroute`: prolonged fine-tuning until EM re-emerges despite
 * the block, one measured test per explanation (SAE drift, other latents at
 * the block layer, a bypass through later layers), and the fixes; prints
 * the report. Needs a profile with layers after the block layer (reference).
 */
import { runReroute } from "../src/pipeline/reroute.ts";
import { printReport, stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("reroute"), Deno.args, async (e) => {
  const start = performance.now();
  await printReport(e.root, await runReroute(e.config, e.root, e.profile, e.ctx), start);
});
