/**
 * `deno task reproduce [--profile smoke|paper|reference] [--workers N]`:
 * every stage of the profile in order (its pipeline, experiment grids and
 * rerouting study, as its `reproduce` section says), then every table and
 * figure; a stage whose inputs, config and code are unchanged is reused.
 * Ends with what ran, what was reused, and where the outputs are.
 */
import { join } from "node:path";
import { readJson } from "../src/core/atomic.ts";
import { runPaths } from "../src/runs/paths.ts";
import { resolveConfig } from "../src/config/profiles.ts";
import { reproduce, reproducedGrids } from "../src/pipeline/reproduce.ts";
import { formatSummary, type Summary } from "../src/reports/summary.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("reproduce"), Deno.args, async (e) => {
  const start = performance.now();
  const results = await reproduce({
    profile: e.profile,
    config: e.config,
    root: e.root,
    backend: e.backend,
    force: e.force,
    workers: e.ctx.workers,
  });
  const where: string[] = [];
  for (const profile of [...e.config.reproduce.include, e.profile]) {
    const cfg = profile === e.profile ? e.config : resolveConfig(profile);
    const paths = runPaths(profile);
    if (cfg.reproduce.pipeline) {
      if (profile === e.profile) {
        console.log(formatSummary(await readJson<Summary>(join(e.root, paths.summary))));
      }
      where.push(`${profile} summary ${paths.summary}`);
    }
    for (const grid of reproducedGrids(cfg)) {
      where.push(`${profile} ${grid} ${paths.experiment(grid)}/report.md`);
    }
  }
  where.push("tables and figures results/report/", "page results/report.html");
  const ran = results.filter((r) => r.status === "ran");
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `\nprofile ${e.profile}: ran ${ran.length} stage(s), reused ${results.length - ran.length} · ` +
      `${seconds.toFixed(1)}s on ${e.backend.name} with ${e.ctx.workers ?? 1} worker(s)`,
  );
  if (ran.length > 0 && ran.length <= 40) console.log(`ran: ${ran.map((r) => r.name).join(", ")}`);
  console.log(`outputs:\n${where.map((w) => `  ${w}`).join("\n")}`);
});
