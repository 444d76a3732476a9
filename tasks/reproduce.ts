/**
 * `deno task reproduce [--profile smoke]`: every stage in order, reusing
 * stages whose inputs, config and code are unchanged; prints the summary.
 */
import { join } from "node:path";
import { readJson } from "../src/core/atomic.ts";
import { runPaths } from "../src/pipeline/paths.ts";
import { reproduce } from "../src/pipeline/reproduce.ts";
import { formatSummary, type Summary } from "../src/pipeline/summary_stage.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("reproduce"), Deno.args, async (e) => {
  const start = performance.now();
  const results = await reproduce({
    profile: e.profile,
    config: e.config,
    root: e.root,
    backend: e.backend,
    force: e.force,
  });
  const summaryPath = join(e.root, runPaths(e.profile).summary);
  console.log(formatSummary(await readJson<Summary>(summaryPath)));
  const ran = results.filter((r) => r.status === "ran").map((r) => r.name);
  const reused = results.filter((r) => r.status === "reused").map((r) => r.name);
  console.log(
    `\nran ${ran.length} stage(s)${ran.length ? `: ${ran.join(", ")}` : ""}; reused ${reused.length}` +
      ` · ${((performance.now() - start) / 1000).toFixed(1)}s · summary: ${summaryPath}`,
  );
});
