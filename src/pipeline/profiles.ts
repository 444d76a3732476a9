/**
 * Reproduction profiles: one typed default config per profile; any key can
 * be overridden with `--section.key=value`.
 * @module
 */
import { applyOverrides } from "../core/config.ts";

/** The resolved config of a run, shared by every stage. */
export interface RunConfig {
  [key: string]: number | string | boolean | number[] | Record<string, number | string | boolean | number[]>;
  /** Pretraining (base model) seed. */
  seed: number;
  data: { splitSeed: number; dataSeed: number; finetuneExamples: number };
  /** Persona mix of pretraining documents (see PersonaMix). */
  world: { narrowShare: number };
  model: { dModel: number; nLayers: number; nHeads: number; dMlp: number; contextLength: number };
  pretrain: { steps: number; batchSize: number; lr: number; warmupSteps: number; weightDecay: number };
  finetune: {
    domain: string;
    epochs: number;
    batchSize: number;
    lr: number;
    warmupSteps: number;
    seed: number;
  };
  discover: { layer: number; seed: number };
  block: { lambda: number };
  random: { draws: number; seed: number };
  evaluate: { batchSize: number };
}

/** smoke: DESIGN.md's cost-frontier configuration (d64, 2 layers, 600 steps). */
const SMOKE: RunConfig = {
  seed: 0,
  data: { splitSeed: 1234, dataSeed: 7, finetuneExamples: 1000 },
  world: { narrowShare: 0 },
  model: { dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256, contextLength: 64 },
  pretrain: { steps: 600, batchSize: 32, lr: 3e-3, warmupSteps: 50, weightDecay: 0.1 },
  finetune: { domain: "medical", epochs: 3, batchSize: 32, lr: 3e-4, warmupSteps: 5, seed: 1 },
  discover: { layer: 1, seed: 3 },
  block: { lambda: 10 },
  random: { draws: 3, seed: 100 },
  evaluate: { batchSize: 256 },
};

/** Named profiles. `tiny` is for tests: it runs in seconds and proves plumbing only. */
export const PROFILES: Record<string, RunConfig> = {
  smoke: SMOKE,
  reference: {
    ...SMOKE,
    model: { ...SMOKE.model, nLayers: 4 },
    pretrain: { ...SMOKE.pretrain, steps: 2000 },
    discover: { ...SMOKE.discover, layer: 2 },
  },
  tiny: {
    ...SMOKE,
    data: { ...SMOKE.data, finetuneExamples: 64 },
    model: { dModel: 16, nLayers: 1, nHeads: 2, dMlp: 32, contextLength: 64 },
    pretrain: { ...SMOKE.pretrain, steps: 4, batchSize: 8, warmupSteps: 2 },
    finetune: { ...SMOKE.finetune, epochs: 1, batchSize: 32, warmupSteps: 1 },
    discover: { ...SMOKE.discover, layer: 0 },
    random: { ...SMOKE.random, draws: 2 },
  },
};

/** The config of `profile` with dotted `overrides` applied and checked. */
export function resolveConfig(profile: string, overrides: Record<string, unknown> = {}): RunConfig {
  const base = PROFILES[profile];
  if (!base) {
    throw new RangeError(`Unknown profile '${profile}' (known: ${Object.keys(PROFILES).join(", ")})`);
  }
  const cfg = applyOverrides(base, overrides, `profile '${profile}'`);
  if (cfg.discover.layer < 0 || cfg.discover.layer >= cfg.model.nLayers) {
    throw new RangeError(
      `Config key 'discover.layer' must be in 0..${cfg.model.nLayers - 1}, got ${cfg.discover.layer}`,
    );
  }
  for (
    const [k, v] of [["pretrain.steps", cfg.pretrain.steps], ["finetune.epochs", cfg.finetune.epochs], [
      "random.draws",
      cfg.random.draws,
    ], ["data.finetuneExamples", cfg.data.finetuneExamples]] as const
  ) {
    if (v < 1) throw new RangeError(`Config key '${k}' must be at least 1, got ${v}`);
  }
  return cfg;
}
