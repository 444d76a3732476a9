/**
 * `experiment --grid <name>`: a grid's cells, the stages of its own and its
 * report, with every upstream stage they need (base models, SAEs,
 * discovery, λ) found from their declared inputs; finished stages and cells
 * are reused by their hashes.
 * @module
 */
import type { GridName } from "../config/names.ts";
import type { RunConfig } from "../config/schema.ts";
import { cellIds, gridRun, type LambdaOf } from "../grids/grid.ts";
import { gridNamed } from "../grids/registry.ts";
import type { Cell } from "../runs/cell.ts";
import { upstreamOf } from "../runs/graph.ts";
import { lambdaInputs, resolvedLambda } from "../runs/lambda.ts";
import { runPaths, selectionKey } from "../runs/paths.ts";
import type { Readout } from "../runs/readouts.ts";
import { openRun, type Run } from "../runs/run.ts";
import type { StageContext, StageResult, StageSpec } from "../runs/stage.ts";
import { catalog } from "../stages/catalog.ts";
import { cellStage } from "../stages/cell.ts";
import { runStages } from "./execute.ts";

/** λ per base seed, running the selection (and what it needs) first when λ is chosen on the selection split. */
export async function chooseLambdas(
  run: Run,
  ctx: StageContext,
  stages: readonly StageSpec[],
  readouts: readonly Readout[] = [run.config.block.readout],
): Promise<{ lambdaOf: LambdaOf; results: StageResult[] }> {
  const cfg = run.config;
  const targets = cfg.seeds.base.flatMap((b) =>
    readouts.flatMap((r) => lambdaInputs(run, selectionKey(cfg, b), r))
  );
  const results = await runStages(upstreamOf(stages, targets), run, ctx);
  const lambdas = new Map<string, number>();
  for (const base of cfg.seeds.base) {
    for (const r of readouts) {
      lambdas.set(`${base}/${r}`, await resolvedLambda(run, selectionKey(cfg, base), r));
    }
  }
  const lambdaOf: LambdaOf = (b, r = cfg.block.readout) => {
    const lambda = lambdas.get(`${b}/${r}`);
    if (lambda === undefined) {
      throw new RangeError(`No λ for base seed ${b} and the ${r} readout (set block.compareReadouts=true)`);
    }
    return lambda;
  };
  return { lambdaOf, results };
}

/** Run `targets`' upstream from `stages`, leaving out stages that already ran in `earlier`. */
async function runRest(
  stages: readonly StageSpec[],
  targets: readonly string[],
  earlier: readonly StageResult[],
  run: Run,
  ctx: StageContext,
  label: string,
): Promise<StageResult[]> {
  const ran = new Set(earlier.map((r) => r.dir));
  return await runStages(upstreamOf(stages, targets).filter((s) => !ran.has(s.dir)), run, ctx, label);
}

/** A grid's upstream stages (run or reused) and its cells, for planning them elsewhere. */
export async function prepareGrid(
  name: GridName,
  run: Run,
  ctx: StageContext,
): Promise<{ results: StageResult[]; cells: Cell[] }> {
  const grid = gridNamed(name);
  grid.check?.(run.config);
  const upstream = catalog(run, ctx.backend);
  // The grid's own view: the base models it runs on (experiment.baseModels).
  const own = gridRun(grid, run);
  const { lambdaOf, results } = await chooseLambdas(own, ctx, upstream, grid.readouts?.(own.config));
  const cells = grid.cells(own.config, lambdaOf);
  const stages = [...upstream, ...(grid.stages?.(own, cells, lambdaOf) ?? [])];
  const inputs = cells.flatMap((c) => cellStage(own, c).inputs);
  results.push(...await runRest(stages, inputs, results, run, ctx, name));
  return { results, cells };
}

/** Run a grid: upstream stages, cells, stages of its own, report. */
export async function runGrid(
  name: GridName,
  run: Run,
  ctx: StageContext,
): Promise<{ results: StageResult[]; report: string }> {
  const grid = gridNamed(name);
  grid.check?.(run.config);
  const upstream = catalog(run, ctx.backend);
  // The grid's own view: the base models it runs on (experiment.baseModels).
  const own = gridRun(grid, run);
  const { lambdaOf, results } = await chooseLambdas(own, ctx, upstream, grid.readouts?.(own.config));
  const cells = grid.cells(own.config, lambdaOf);
  const report = grid.reportStage(own, cellIds(cells, own.config));
  const stages = [
    ...upstream,
    ...(grid.stages?.(own, cells, lambdaOf) ?? []),
    ...cells.map((c) => cellStage(own, c)),
    report,
  ];
  results.push(...await runRest(stages, report.outputs, results, run, ctx, name));
  return { results, report: `${runPaths(run.profile).experiment(name)}/report.md` };
}

/** `runGrid` in the first API's form: the grid, config, root and profile apart. */
export function runExperiment(
  grid: GridName,
  cfg: RunConfig,
  root: string,
  profile: string,
  ctx: StageContext,
): Promise<{ results: StageResult[]; report: string }> {
  return runGrid(grid, openRun(profile, cfg, root), ctx);
}

/** The rerouting study (the `reroute` grid) in the first API's form. */
export function runReroute(
  cfg: RunConfig,
  root: string,
  profile: string,
  ctx: StageContext,
): Promise<{ results: StageResult[]; report: string }> {
  return runGrid("reroute", openRun(profile, cfg, root), ctx);
}
