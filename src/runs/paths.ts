/**
 * Where each stage reads and writes, relative to the project root. Each
 * stage owns exactly one folder. Models are kept per base seed (pretraining)
 * and per fine-tuning seed.
 * @module
 */

/** One cell of the seed grid: a pretraining seed and a fine-tuning seed. */
export interface RunKey {
  base: number;
  finetune: number;
}

/** Folder layout of one profile's run; `key` picks the seed cell (default: the first). */
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
    select: `${b}/select`,
    selection: `${b}/select/selection.json`,
    finetune: (domain: string, condition: string) => `${b}/ft-${key.finetune}/${domain}/${condition}`,
    /** One experiment cell, named by its content hash. */
    cell: (id: string) => `${r}/cells/${id}`,
    experiment: (grid: string) => `${r}/experiments/${grid}`,
    judge: `${r}/judge`,
    learnedJudge: `${r}/judge/learned_judge.json`,
    judgeReport: `${r}/judge/heldout.json`,
    evaluate: `${r}/evaluate`,
    metrics: `${r}/evaluate/metrics.json`,
    summaryDir: r,
    summary: `${r}/summary.json`,
  };
}

/** Every seed cell of a config, base seeds outermost. */
export function runKeys(seeds: { base: number[]; finetune: number[] }): RunKey[] {
  return seeds.base.flatMap((base) => seeds.finetune.map((finetune) => ({ base, finetune })));
}

/** Names of the fine-tuned conditions of a run with `draws` random controls. */
export function finetuneConditions(draws: number): string[] {
  return ["naive", "block", ...Array.from({ length: draws }, (_, i) => `random-${i}`)];
}
