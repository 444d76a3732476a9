/**
 * The whole pipeline of a profile, in data order: data → pretrain →
 * discover → fine-tune (naive, block, random controls) → evaluate → summary.
 * @module
 */
import type { BackendInfo } from "../core/backend.ts";
import { dataStage } from "./data_stage.ts";
import { discoverStage } from "./discover_stage.ts";
import { evaluateStage } from "./evaluate_stage.ts";
import { finetuneStage } from "./finetune_stage.ts";
import { finetuneConditions } from "./paths.ts";
import type { RunConfig } from "./profiles.ts";
import { pretrainStage } from "./pretrain_stage.ts";
import { runStage, type StageResult, type StageSpec } from "./stage.ts";
import { selectStage } from "./select_stage.ts";
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
  return [
    dataStage(cfg, root, profile),
    pretrainStage(cfg, root, profile),
    discoverStage(cfg, root, profile),
    finetuneStage(cfg, root, profile, "naive"),
    ...(cfg.block.selectLambda ? [selectStage(cfg, root, profile)] : []),
    ...finetuneConditions(cfg.random.draws).filter((c) => c !== "naive").map((c) =>
      finetuneStage(cfg, root, profile, c)
    ),
    evaluateStage(cfg, root, profile),
    summaryStage(cfg, root, profile, backend),
  ];
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
