/**
 * `deno task reroute`: prolonged fine-tuning until EM re-emerges despite
 * the block, one measured test per explanation (SAE drift, other latents at
 * the block layer, a bypass through later layers), and the fixes; prints
 * the report. Needs a profile with layers after the block layer (reference).
 */
import { join } from "node:path";
import { runReroute } from "../src/pipeline/reroute.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("reroute"), Deno.args, async (e) => {
  const start = performance.now();
  const { results, report } = await runReroute(e.config, e.root, e.profile, e.ctx);
  console.log(await Deno.readTextFile(join(e.root, report)));
  const ran = results.filter((r) => r.status === "ran").length;
  console.log(
    `\nran ${ran} stage(s), reused ${results.length - ran} · ${
      ((performance.now() - start) / 1000).toFixed(1)
    }s · report: ${report}`,
  );
});
