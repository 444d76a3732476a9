/**
 * The whole pipeline of a profile, in data order: data → (per base seed)
 * pretrain → SAE at the block layer → discovery model → discover (top-Δ,
 * induce/repair, ranked selection) → naive fine-tune on the discovery
 * domain → select λ → (per fine-tuning seed and domain) naive, block,
 * random controls → learned judge → evaluate → summary.
 * @module
 */
import type { BackendInfo } from "../core/backend.ts";
import { dataStage } from "./data_stage.ts";
import { discoverStage } from "./discover_stage.ts";
import { discoveryModelStage } from "./discovery_model_stage.ts";
import { saeStage } from "./sae_stage.ts";
import { evaluateStage } from "./evaluate_stage.ts";
import { finetuneStage, selectionKey } from "./finetune_stage.ts";
import { judgeStage } from "./judge_stage.ts";
import { finetuneConditions } from "./paths.ts";
import type { RunConfig } from "./profiles.ts";
import { pretrainStage } from "./pretrain_stage.ts";
import { selectStage } from "./select_stage.ts";
import { runStage, type StageResult, type StageSpec } from "./stage.ts";
import { summaryStage } from "./summary_stage.ts";

/** Options of a reproduce run. */
export interface ReproduceOptions {
  profile: string;
  config: RunConfig;
  root: string;
  backend: BackendInfo;
  force?: boolean;
  log?: (line: string) => void;
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

/** Run (or reuse) every stage; returns what each did. */
export async function reproduce(opts: ReproduceOptions): Promise<StageResult[]> {
  const ctx = {
    root: opts.root,
    backend: opts.backend,
    force: opts.force ?? false,
    log: opts.log ?? ((line: string) => console.error(line)),
  };
  const results: StageResult[] = [];
  for (const stage of pipelineStages(opts.config, opts.root, opts.profile, opts.backend)) {
    results.push(await runStage(stage, ctx));
  }
  return results;
}
