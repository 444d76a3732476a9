/**
 * Every experiment grid, in report order. Adding a grid is one file
 * implementing `Grid`, its name in `config/names.ts` and one line here; the
 * compiler refuses a listed name without a grid.
 * @module
 */
import type { GridName } from "../config/names.ts";
import { ABLATIONS } from "./ablations.ts";
import { BASELINES } from "./baselines.ts";
import type { RunConfig } from "../config/schema.ts";
import type { Cell } from "../runs/cell.ts";
import { type Grid, gridBases, type LambdaOf } from "./grid.ts";
import { K } from "./k.ts";
import { LAMBDA } from "./lambda.ts";
import { MAIN } from "./main.ts";
import { REEMERGE } from "./reemerge.ts";
import { REROUTE } from "./reroute.ts";

/** The grids by name, in the order of `GRID_NAMES` (the paper page's order). */
export const GRIDS: Readonly<Record<GridName, Grid>> = {
  main: MAIN,
  lambda: LAMBDA,
  k: K,
  ablations: ABLATIONS,
  baselines: BASELINES,
  reemerge: REEMERGE,
  reroute: REROUTE,
};

/** The grid called `name`; an unknown name is an error listing the known ones. */
export function gridNamed(name: string): Grid {
  if (!Object.hasOwn(GRIDS, name)) {
    throw new RangeError(`Unknown grid '${name}' (known: ${Object.keys(GRIDS).join(", ")})`);
  }
  return GRIDS[name as GridName];
}

/** Every cell of grid `name` under `cfg`, with λ per base seed. */
export function gridCells(name: string, cfg: RunConfig, lambdaOf: LambdaOf): Cell[] {
  const grid = gridNamed(name);
  return grid.cells({ ...cfg, seeds: { ...cfg.seeds, base: gridBases(grid, cfg) } }, lambdaOf);
}
