/**
 * What an experiment grid is: its cells (each a method's fine-tune on a
 * domain and seed pair), any stages of its own beyond them, its report, and
 * its section of the paper page. A grid is one file implementing `Grid`
 * plus one line in `registry.ts` (its name is listed in `config/names.ts`).
 * What a grid needs upstream (base models, SAEs, discovery, λ) follows from
 * its cells' declared inputs.
 * @module
 */
import type { GridName } from "../config/names.ts";
import type { RunConfig } from "../config/schema.ts";
import type { DraftSection, SectionSource } from "../reports/paper.ts";
import { type Cell, cellId } from "../runs/cell.ts";
import { runKeys } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import type { Readout } from "../runs/readouts.ts";
import type { MethodGroup, MethodParams } from "../methods/method.ts";
import { methodNamed, METHODS } from "../methods/registry.ts";

/** λ chosen for a base seed (on the selection split, or fixed), for the run's own readout or `readout`. */
export type LambdaOf = (base: number, readout?: Readout) => number;

/** One experiment grid. */
export interface Grid {
  readonly name: GridName;
  /** One line for listings and usage. */
  readonly summary: string;
  /**
   * Its section of the paper page: the profile whose results it reads, the
   * title, and the command that computes it (default `experiment --profile
   * <profile> --grid <name>`).
   */
  readonly paper: { profile: string; title: string; run?: string };
  /** Whether `plan` can schedule its cells alone (rerouting interleaves stages of its own). */
  readonly plannable: boolean;
  /** Whether it runs on every base model whatever `experiment.baseModels` says (the main grid). */
  readonly everyBaseModel?: boolean;
  /** The readouts whose λ its cells need (default: the run's own). */
  readouts?(cfg: RunConfig): Readout[];
  /** Throws on a config the grid cannot run on, saying why. */
  check?(cfg: RunConfig): void;
  /** Every cell, given λ per base seed. */
  cells(cfg: RunConfig, lambdaOf: LambdaOf): Cell[];
  /** Stages of its own beyond its cells (rerouting's re-emerged model, rediscovery, analysis). */
  stages?(run: Run, cells: readonly Cell[], lambdaOf: LambdaOf): StageSpec[];
  /** Its report stage over its cells' ids. */
  reportStage(run: Run, ids: string[]): StageSpec;
  /** Its section of the paper page from its recorded `report.json`. */
  section(report: unknown, source: SectionSource): DraftSection;
}

/** The base seeds a grid runs on: every one, or the first `experiment.baseModels`. */
export function gridBases(grid: Pick<Grid, "everyBaseModel">, cfg: RunConfig): number[] {
  const n = cfg.experiment.baseModels;
  return grid.everyBaseModel || n === 0 ? cfg.seeds.base : cfg.seeds.base.slice(0, n);
}

/** `run` as a grid sees it: its config's base seeds those the grid runs on. */
export function gridRun(grid: Pick<Grid, "everyBaseModel">, run: Run): Run {
  const base = gridBases(grid, run.config);
  if (base.length === run.config.seeds.base.length) return run;
  return { ...run, config: { ...run.config, seeds: { ...run.config.seeds, base } } };
}

/** Cells of `method` on `domains` for every seed pair, with settings per base seed. */
export function cellsOf(
  cfg: RunConfig,
  domains: readonly string[],
  method: string,
  params: (base: number) => MethodParams,
): Cell[] {
  methodNamed(method);
  const cells: Cell[] = [];
  for (const domain of domains) {
    for (const { base, finetune } of runKeys(cfg.seeds)) {
      cells.push({ domain, method, params: params(base), base, finetune });
    }
  }
  return cells;
}

/**
 * Cells of every method of `group`, in registry order, each at every
 * setting it declares (its strength grid, the random control's draws),
 * setting by setting.
 */
export function groupCells(
  cfg: RunConfig,
  domains: readonly string[],
  group: MethodGroup,
  lambdaOf: LambdaOf,
): Cell[] {
  return [...METHODS.values()].filter((m) => m.group === group)
    .flatMap((m) => methodCells(cfg, domains, m.name, lambdaOf));
}

/** Cells of method `name` at every setting it declares, setting by setting. */
export function methodCells(
  cfg: RunConfig,
  domains: readonly string[],
  name: string,
  lambdaOf: LambdaOf,
): Cell[] {
  const m = methodNamed(name);
  return Array.from(
    { length: m.settings(cfg, 0).length },
    (_, i) => cellsOf(cfg, domains, name, (b) => m.settings(cfg, lambdaOf(b))[i]),
  ).flat();
}

/** The settings of a prolonged fine-tune: `experiment.prolongFactor` × the epochs, judged every `finetune.epochs`. */
export function prolonged(cfg: RunConfig): MethodParams {
  return { epochs: cfg.finetune.epochs * cfg.experiment.prolongFactor, curveEvery: cfg.finetune.epochs };
}

/** Each distinct cell id, in order. */
export function cellIds(cells: readonly Cell[], cfg: RunConfig): string[] {
  return [...new Set(cells.map((c) => cellId(c, cfg)))];
}

/**
 * The check of a grid whose methods hold SAE latents (top k, ablations of
 * the selection, CAFT and steering along latent directions, rerouting):
 * refuses `discover.features=diffmeans`, under which BLOCK holds one
 * direction and the grid would compare unlike things.
 */
export function latentsOnly(name: string): (cfg: RunConfig) => void {
  return (cfg) => {
    if (cfg.discover.features !== "sae") {
      throw new RangeError(
        `The ${name} grid compares methods that hold SAE latents; it needs discover.features=sae, got '${cfg.discover.features}'`,
      );
    }
  };
}
