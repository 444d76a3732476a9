/**
 * `deno task experiment --grid main|lambda|k|ablations|baselines`: run a
 * grid's cells (finished cells are reused by content hash) and write its
 * report; prints the report table.
 */
import { runExperiment } from "../src/pipeline/experiment.ts";
import { type GridName, GRIDS } from "../src/grids/grids.ts";
import { printReport, stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(
  stageUsage("experiment", ` --grid ${GRIDS.join("|")}`),
  Deno.args,
  async (e) => {
    const grid = String(e.flags.grid ?? "");
    if (!GRIDS.includes(grid as GridName)) {
      throw new RangeError(`Flag --grid expects one of ${GRIDS.join(", ")}, got '${grid}'`);
    }
    const start = performance.now();
    await printReport(
      e.root,
      await runExperiment(grid as GridName, e.config, e.root, e.profile, e.ctx),
      start,
    );
  },
  { grid: "string" },
);
