/**
 * Everything a profile reproduces (its `reproduce` section): first the
 * profiles it includes, then its staged pipeline up to the summary, its
 * experiment grids and the rerouting study; then the report of every table
 * and figure. Which stages run, and in which order, follows from what each
 * needs (`runs/graph.ts`).
 * @module
 */
import type { BackendInfo } from "../backend/backend.ts";
import type { GridName } from "../config/names.ts";
import { resolveConfig } from "../config/profiles.ts";
import type { RunConfig } from "../config/schema.ts";
import { upstreamOf } from "../runs/graph.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun, type Run } from "../runs/run.ts";
import { runStage, type StageContext, type StageResult } from "../runs/stage.ts";
import { catalog } from "../stages/catalog.ts";
import { runStages } from "./execute.ts";
import { runGrid } from "./experiment.ts";
import { paperReportStage } from "./report.ts";

/** Options of a reproduce run. */
export interface ReproduceOptions {
  profile: string;
  config: RunConfig;
  root: string;
  backend: BackendInfo;
  force?: boolean;
  log?: (line: string) => void;
  /** Worker processes for independent cells (default 1: in this process). */
  workers?: number;
}

/** The staged pipeline of a run, up to its summary. */
export async function runPipeline(run: Run, ctx: StageContext): Promise<StageResult[]> {
  return await runStages(upstreamOf(catalog(run, ctx.backend), [runPaths(run.profile).summary]), run, ctx);
}

/** The grids a profile's `reproduce` section names, the rerouting study last. */
export function reproducedGrids(cfg: RunConfig): GridName[] {
  return [...cfg.reproduce.grids, ...(cfg.reproduce.reroute ? ["reroute" as const] : [])];
}

/** Run (or reuse) every stage of the profile's `reproduce` section, then the report; returns what each did. */
export async function reproduce(opts: ReproduceOptions): Promise<StageResult[]> {
  const ctx: StageContext = {
    root: opts.root,
    backend: opts.backend,
    force: opts.force ?? false,
    log: opts.log ?? ((line: string) => console.error(line)),
    workers: opts.workers ?? 1,
  };
  const results: StageResult[] = [];
  // Profiles this one builds on (the paper's tables need the smoke judges and the reference rerouting).
  const runs = [
    ...opts.config.reproduce.include.map((p) => openRun(p, resolveConfig(p), opts.root)),
    openRun(opts.profile, opts.config, opts.root),
  ];
  for (const run of runs) {
    if (run.config.reproduce.pipeline) results.push(...await runPipeline(run, ctx));
    for (const grid of reproducedGrids(run.config)) results.push(...(await runGrid(grid, run, ctx)).results);
  }
  results.push(await runStage(paperReportStage(opts.root), ctx));
  // Grids share upstream stages and cells: each counts once.
  const seen = new Set<string>();
  return results.filter((r) => !seen.has(r.dir) && seen.add(r.dir));
}
