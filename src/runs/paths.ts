/**
 * Where each stage reads and writes, relative to the project root. Each
 * stage owns exactly one folder. Models are kept per base seed (pretraining)
 * and per fine-tuning seed.
 * @module
 */
import type { RunConfig } from "../config/schema.ts";

/** A seed pair of the seed grid: a pretraining (base) seed and a fine-tuning seed. */
export interface RunKey {
  base: number;
  finetune: number;
}

/** Folder layout of one profile's run; `key` picks the seed pair (default: the first). */
export function runPaths(profile: string, key: RunKey = { base: 0, finetune: 0 }) {
  const r = `results/${profile}`;
  const b = `${r}/base-${key.base}`;
  return {
    data: `data/${profile}`,
    world: `data/${profile}/world.json`,
    questions: `data/${profile}/questions.jsonl`,
    finetuneSet: (domain: string) => `data/${profile}/finetune/${domain}.jsonl`,
    pretrain: `${b}/pretrain`,
    /** The SAE trained on the base model's activations at `blocks.<layer>.resid_post`. */
    sae: (layer: number) => `${b}/sae/layer-${layer}`,
    /** The naive fine-tune on the discovery domain whose shift discovery reads. */
    discoveryModel: `${b}/discovery-model`,
    features: `${b}/features`,
    /** Discovery at a layer other than the block layer (the final-layer ablation). */
    featuresAtLayer: (layer: number) => `${b}/features-layer-${layer}`,
    directions: `${b}/features/directions.json`,
    latents: `${b}/features/latents.json`,
    /** The rerouting analysis of re-emerged models (`reroute`), one folder per part. */
    reroute: (part: string) => `${b}/reroute/${part}`,
    /** Latents rediscovered on the re-emerged model at the block layer (read by `block-union`). */
    rerouteLatents: `${b}/reroute/discover/latents.json`,
    /** How much of the EM shift each readout's span of the selected latents holds (`block.compareReadouts`). */
    readouts: `${b}/readouts/readouts.json`,
    select: `${b}/select`,
    selection: `${b}/select/selection.json`,
    /** λ chosen for the readout other than the run's own (`block.compareReadouts`). */
    selectReadout: (readout: string) => `${b}/select-${readout}`,
    selectionReadout: (readout: string) => `${b}/select-${readout}/selection.json`,
    finetune: (domain: string, condition: string) => `${b}/ft-${key.finetune}/${domain}/${condition}`,
    /** One experiment cell, named by its content hash. */
    cell: (id: string) => `${r}/cells/${id}`,
    experiment: (grid: string) => `${r}/experiments/${grid}`,
    judge: `${r}/judge`,
    learnedJudge: `${r}/judge/learned_judge.json`,
    judgeReport: `${r}/judge/heldout.json`,
    /** A file under the profile's results folder (a judge's trained state). */
    profileFile: (file: string) => `${r}/${file}`,
    evaluate: `${r}/evaluate`,
    metrics: `${r}/evaluate/metrics.json`,
    summaryDir: r,
    summary: `${r}/summary.json`,
  };
}

/** Every seed pair of a config, base seeds outermost. */
export function runKeys(seeds: { base: number[]; finetune: number[] }): RunKey[] {
  return seeds.base.flatMap((base) => seeds.finetune.map((finetune) => ({ base, finetune })));
}

/** Names of the fine-tuned conditions of a run with `draws` random controls. */
export function finetuneConditions(draws: number): string[] {
  return ["naive", "block", ...Array.from({ length: draws }, (_, i) => `random-${i}`)];
}

/** The seed pair whose models the `select` stage and discovery use: the base seed's first fine-tuning seed. */
export function selectionKey(cfg: RunConfig, base: number): RunKey {
  return { base, finetune: cfg.seeds.finetune[0] };
}

/** The site SAEs and features read at `layer`. */
export function blockSite(layer: number): string {
  return `blocks.${layer}.resid_post`;
}

/**
 * Where discovery at `layer` writes: `features/` at the block layer,
 * `features-layer-<L>/` elsewhere, or `dir` (rediscovery on another model).
 */
export function featurePaths(
  run: { profile: string; config: RunConfig },
  key: RunKey,
  layer = run.config.discover.layer,
  dir?: string,
) {
  const paths = runPaths(run.profile, key);
  const out = dir ?? (layer === run.config.discover.layer ? paths.features : paths.featuresAtLayer(layer));
  return {
    dir: out,
    directions: `${out}/directions.json`,
    latents: `${out}/latents.json`,
    candidates: `${out}/candidates.csv`,
    sae: paths.sae(layer),
    site: blockSite(layer),
  };
}
