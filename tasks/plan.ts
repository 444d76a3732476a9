/**
 * `deno task plan [--grid main,lambda,...]`: run the upstream stages the
 * grids need (here), then write their cells to `results/<profile>/plan/`:
 * `plan.json` (cells with ids and the resolved config), `ids.txt`, and
 * `array.sh`, a job-array script with one task per cell running `deno task
 * cell --id <id>`. Finished cells land in `results/<profile>/cells/`, where
 * `experiment`, `reproduce` and the report reuse them. A finished cell made
 * from other upstream files than those there now is refused up front
 * (`--remove-stale` removes such cells first).
 */
import { join } from "node:path";
import { GRID_NAMES, type GridName } from "../src/config/names.ts";
import { gridNamed } from "../src/grids/registry.ts";
import { prepareGrid } from "../src/pipeline/experiment.ts";
import {
  makePlan,
  planPaths,
  staleCells,
  unfinishedCells,
  withInputs,
  writePlan,
} from "../src/pipeline/plan.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(
  stageUsage(
    "plan",
    ` [--grid ${
      GRID_NAMES.filter((g) => gridNamed(g).plannable).join(",")
    }] [--slurm] [--status] [--remove-stale]`,
  ),
  Deno.args,
  async (e) => {
    if (e.flags.status) {
      const { plan, unfinished } = await unfinishedCells(e.root, e.profile);
      console.log(
        `${plan.cells.length - unfinished.length} of ${plan.cells.length} planned cell(s) finished`,
      );
      for (const u of unfinished) console.log(`unfinished: array index ${u.index}  cell ${u.id}  ${u.label}`);
      if (unfinished.length > 0) {
        const script = join(e.root, planPaths(e.profile).array);
        console.log(
          `resubmit them alone: sbatch --array=${unfinished.map((u) => u.index).join(",")} ${script}`,
        );
        Deno.exit(1);
      }
      return;
    }
    const grids = (e.flags.grid === undefined ? e.config.reproduce.grids : String(e.flags.grid).split(","))
      .map((g) => g.trim()).filter((g) => g.length > 0);
    if (grids.length === 0) {
      throw new RangeError(
        `Flag --grid names no grid, and profile '${e.profile}' reproduces none`,
      );
    }
    for (const g of grids) {
      if (!gridNamed(g).plannable) {
        throw new RangeError(
          `The ${g} grid interleaves its own stages: run \`deno task experiment --grid ${g}\``,
        );
      }
    }
    const planned = [];
    for (const grid of grids as GridName[]) {
      planned.push({ grid, cells: (await prepareGrid(grid, e.run, e.ctx)).cells });
    }
    const plan = await withInputs(makePlan(e.profile, e.config, planned), e.run);
    // Refused up front: a job array of cells that would each refuse is no plan.
    const stale = await staleCells(e.root, plan);
    if (stale.length > 0 && !e.flags["remove-stale"]) {
      throw new Error(
        `${stale.length} finished cell(s) of this plan were computed from other upstream files than those there now ` +
          `(${stale[0].dir} read another ${stale[0].file}); cells are never recomputed in place: ` +
          `re-run with --remove-stale to remove them first`,
      );
    }
    for (const { dir } of stale) {
      await Deno.remove(join(e.root, dir), { recursive: true });
      console.error(`removed stale cell ${dir}`);
    }
    const written = await writePlan(e.root, plan, Deno.cwd());
    console.log(`${plan.cells.length} cell(s) of ${grids.join(", ")} planned: ${written.join(", ")}`);
    console.log(`run one: deno task cell --profile ${e.profile} --id ${plan.cells[0]?.id ?? "<id>"}`);
    console.log(`job array: sbatch ${join(e.root, planPaths(e.profile).array)}`);
  },
  { grid: "string", status: "boolean", slurm: "boolean", "remove-stale": "boolean" },
);
