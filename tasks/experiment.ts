/**
 * `deno task experiment --grid <name>`: run a grid's cells (finished cells
 * are reused by content hash), its own stages and its report; prints the
 * report table.
 */
import { GRID_NAMES, type GridName } from "../src/config/names.ts";
import { runGrid } from "../src/pipeline/experiment.ts";
import { printReport, stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(
  stageUsage("experiment", ` --grid ${GRID_NAMES.join("|")}`),
  Deno.args,
  async (e) => {
    const grid = String(e.flags.grid ?? "");
    if (!(GRID_NAMES as readonly string[]).includes(grid)) {
      throw new RangeError(`Flag --grid expects one of ${GRID_NAMES.join(", ")}, got '${grid}'`);
    }
    const start = performance.now();
    await printReport(e.root, await runGrid(grid as GridName, e.run, e.ctx), start);
  },
  { grid: "string" },
);
