/**
 * The experiment grids as data: each is a list of cells, built from the
 * config and the λ chosen on the selection split for each base seed.
 *
 *   main       every fine-tuning domain: naive, BLOCK, random latents (each draw)
 *   lambda     BLOCK over `experiment.lambdaSweep`, with naive
 *   k          BLOCK with the top k selected latents, k over `experiment.kSweep`
 *   ablations  random latents, discovery-only, shuffled signs, K+ only, K− only, final layer
 *   baselines  KL, LDIFS, CAFT, preventative steering, inoculation, freezing
 *   reemerge   naive and BLOCK fine-tuned `experiment.prolongFactor` × longer, judged every `finetune.epochs`
 *   reroute    naive and BLOCK at both lengths, and the prolonged fixes: block-union, block-layers, block-freeze
 * @module
 */
import type { Cell } from "../stages/cell.ts";
import type { Method, MethodParams } from "../methods/methods.ts";
import { runKeys } from "../runs/paths.ts";
import type { RunConfig } from "../config/profiles.ts";

/** Grid names. */
export const GRIDS = ["main", "lambda", "k", "ablations", "baselines", "reemerge", "reroute"] as const;
/** One grid. */
export type GridName = typeof GRIDS[number];

/** Every cell of `grid`; `lambdaOf(base)` is the λ chosen for that base seed. */
export function gridCells(grid: GridName, cfg: RunConfig, lambdaOf: (base: number) => number): Cell[] {
  const cells: Cell[] = [];
  const add = (domains: readonly string[], method: Method, params: (base: number) => MethodParams) => {
    for (const domain of domains) {
      for (const { base, finetune } of runKeys(cfg.seeds)) {
        cells.push({ domain, method, params: params(base), base, finetune });
      }
    }
  };
  const draws = Array.from({ length: cfg.random.draws }, (_, i) => i);
  const exp = cfg.experiment;
  switch (grid) {
    case "main":
      add(cfg.finetune.domains, "naive", () => ({}));
      add(cfg.finetune.domains, "block", (b) => ({ lambda: lambdaOf(b) }));
      for (const draw of draws) add(cfg.finetune.domains, "random", (b) => ({ lambda: lambdaOf(b), draw }));
      break;
    case "lambda":
      add([cfg.discover.domain], "naive", () => ({}));
      for (const lambda of exp.lambdaSweep) add([cfg.discover.domain], "block", () => ({ lambda }));
      break;
    case "k":
      add([cfg.discover.domain], "naive", () => ({}));
      for (const k of exp.kSweep) add([cfg.discover.domain], "block", (b) => ({ lambda: lambdaOf(b), k }));
      break;
    case "ablations":
      add(exp.domains, "naive", () => ({}));
      add(exp.domains, "block", (b) => ({ lambda: lambdaOf(b) }));
      for (const draw of draws) add(exp.domains, "random", (b) => ({ lambda: lambdaOf(b), draw }));
      for (
        const m of ["discovery-only", "shuffled-signs", "kplus-only", "kminus-only", "final-layer"] as const
      ) {
        add(exp.domains, m, (b) => ({ lambda: lambdaOf(b) }));
      }
      break;
    case "baselines":
      add(exp.domains, "naive", () => ({}));
      add(exp.domains, "block", (b) => ({ lambda: lambdaOf(b) }));
      for (const weight of exp.klWeights) add(exp.domains, "kl", () => ({ weight }));
      for (const weight of exp.ldifsWeights) add(exp.domains, "ldifs", () => ({ weight }));
      add(exp.domains, "caft", () => ({}));
      for (const alpha of exp.steerAlphas) add(exp.domains, "steer", () => ({ alpha }));
      add(exp.domains, "inoculation", () => ({}));
      add(exp.domains, "freeze", () => ({}));
      break;
    case "reemerge":
      add([cfg.discover.domain], "naive", () => prolonged(cfg));
      add([cfg.discover.domain], "block", (b) => ({ lambda: lambdaOf(b), ...prolonged(cfg) }));
      break;
    case "reroute":
      // The fixes first: a concurrent `--grid reemerge` can meanwhile train the prolonged naive and BLOCK cells.
      for (const m of ["block-union", "block-layers", "block-freeze", "naive", "block"] as const) {
        add(
          [cfg.discover.domain],
          m,
          (b) => ({ ...(m === "naive" ? {} : { lambda: lambdaOf(b) }), ...prolonged(cfg) }),
        );
      }
      add([cfg.discover.domain], "naive", () => ({}));
      add([cfg.discover.domain], "block", (b) => ({ lambda: lambdaOf(b) }));
      break;
  }
  return cells;
}

/** The settings of a prolonged fine-tune: `experiment.prolongFactor` × the epochs, judged every `finetune.epochs`. */
export function prolonged(cfg: RunConfig): MethodParams {
  return { epochs: cfg.finetune.epochs * cfg.experiment.prolongFactor, curveEvery: cfg.finetune.epochs };
}
