/**
 * Everything a profile reproduces (its `reproduce` section), in data order.
 * The staged pipeline: data → (per base seed) pretrain → SAE at the block
 * layer → discovery model → discover (top-Δ, induce/repair, ranked
 * selection) → naive fine-tune on the discovery domain → select λ → (per
 * fine-tuning seed and domain) naive, block, random controls → learned judge
 * → evaluate → summary. Then the experiment grids, the rerouting study, and
 * the report of every table and figure.
 * @module
 */
import type { BackendInfo } from "../backend/backend.ts";
import { dataStage } from "../stages/data.ts";
import { runExperiment } from "./experiment.ts";
import type { GridName } from "../grids/grids.ts";
import { paperReportStage } from "./report.ts";
import { runReroute } from "./reroute.ts";
import { discoverStage } from "../stages/discover.ts";
import { discoveryModelStage } from "../stages/discovery_model.ts";
import { saeStage } from "../stages/sae.ts";
import { evaluateStage } from "../stages/evaluate.ts";
import { finetuneStage, selectionKey } from "../stages/finetune.ts";
import { judgeStage } from "../stages/judge.ts";
import { finetuneConditions } from "../runs/paths.ts";
import { resolveConfig } from "../config/profiles.ts";
import type { RunConfig } from "../config/schema.ts";
import { pretrainStage } from "../stages/pretrain.ts";
import { selectStage } from "../stages/select.ts";
import { runStage, type StageContext, type StageResult, type StageSpec } from "../runs/stage.ts";
import { summaryStage } from "../stages/summary.ts";

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

/** Every stage of a profile, in order. */
export function pipelineStages(
  cfg: RunConfig,
  root: string,
  profile: string,
  backend: BackendInfo,
): StageSpec[] {
  const stages: StageSpec[] = [dataStage(cfg, root, profile)];
  for (const base of cfg.seeds.base) {
    const first = selectionKey(cfg, base);
    const domain = cfg.discover.domain;
    stages.push(
      pretrainStage(cfg, root, profile, first),
      saeStage(cfg, root, profile, first, cfg.discover.layer),
      discoveryModelStage(cfg, root, profile, first),
      discoverStage(cfg, root, profile, first),
      finetuneStage(cfg, root, profile, first, domain, "naive"),
    );
    if (cfg.block.selectLambda) stages.push(selectStage(cfg, root, profile, first));
    for (const finetune of cfg.seeds.finetune) {
      const key = { base, finetune };
      for (const d of cfg.finetune.domains) {
        for (const condition of finetuneConditions(cfg.random.draws)) {
          if (finetune === first.finetune && d === domain && condition === "naive") continue;
          stages.push(finetuneStage(cfg, root, profile, key, d, condition));
        }
      }
    }
  }
  stages.push(
    judgeStage(cfg, root, profile),
    evaluateStage(cfg, root, profile),
    summaryStage(cfg, root, profile, backend),
  );
  return stages;
}

/** Run (or reuse) every stage of the profile's `reproduce` section, then the report; returns what each did. */
export async function reproduce(opts: ReproduceOptions): Promise<StageResult[]> {
  const { config: cfg, root, profile } = opts;
  const ctx = {
    root,
    backend: opts.backend,
    force: opts.force ?? false,
    log: opts.log ?? ((line: string) => console.error(line)),
    workers: opts.workers ?? 1,
  };
  const results: StageResult[] = [];
  // Profiles this one builds on (the paper's tables need the smoke judges and the reference rerouting).
  for (const other of cfg.reproduce.include) {
    const otherCfg = resolveConfig(other);
    results.push(...await profileStages(other, otherCfg, root, opts.backend, ctx));
  }
  results.push(...await profileStages(profile, cfg, root, opts.backend, ctx));
  results.push(await runStage(paperReportStage(root), ctx));
  // Grids share upstream stages and cells: each counts once.
  const seen = new Set<string>();
  return results.filter((r) => !seen.has(r.dir) && seen.add(r.dir));
}

/** One profile's pipeline, grids and rerouting study, as its `reproduce` section says. */
async function profileStages(
  profile: string,
  cfg: RunConfig,
  root: string,
  backend: BackendInfo,
  ctx: StageContext,
): Promise<StageResult[]> {
  const results: StageResult[] = [];
  if (cfg.reproduce.pipeline) {
    for (const stage of pipelineStages(cfg, root, profile, backend)) results.push(await runStage(stage, ctx));
  }
  for (const grid of cfg.reproduce.grids) {
    results.push(...(await runExperiment(grid as GridName, cfg, root, profile, ctx)).results);
  }
  if (cfg.reproduce.reroute) results.push(...(await runReroute(cfg, root, profile, ctx)).results);
  return results;
}
