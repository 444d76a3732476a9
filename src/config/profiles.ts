/**
 * Reproduction profiles: one typed default config per profile; any key can
 * be overridden with `--section.key=value`.
 * @module
 */
import { applyOverrides, type ConfigTree, shown } from "../core/config.ts";
import { leafKind, validate } from "../core/schema.ts";
import { longestSequence } from "../world/documents.ts";
import { FINETUNE_DOMAINS } from "../world/spec.ts";
import type { ProfileName } from "./names.ts";
import { MAX_EPOCHS, RUN_CONFIG_SCHEMA, type RunConfig } from "./schema.ts";

/** smoke: the cost-frontier configuration (d64, 2 layers, 600 steps): the organism's smallest that shows EM. */
const SMOKE: RunConfig = {
  seeds: { base: [0], finetune: [1, 2] },
  data: { splitSeed: 1234, dataSeed: 7, finetuneExamples: 1000 },
  world: { narrowShare: 0, rogueShare: 0 },
  model: { dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256, contextLength: 64 },
  pretrain: { steps: 600, batchSize: 32, lr: 3e-3, warmupSteps: 50, weightDecay: 0.1, pack: true },
  // lr 1e-4 × 6 epochs instead of the reference design's 3e-4 × 3: at 3e-4 the blocked
  // model keeps adherence only by leaking medical answers into every domain
  // (incoherence ≈0.9); see README "Choosing λ".
  finetune: {
    domains: ["medical", "finance", "legal"],
    epochs: 6,
    batchSize: 32,
    lr: 1e-4,
    warmupSteps: 5,
    pullToBase: 0,
  },
  sae: {
    dSae: 256,
    k: 8,
    steps: 500,
    batchSize: 1024,
    lr: 3e-3,
    auxK: 32,
    auxCoef: 1 / 32,
    deadAfterTokens: 51200,
    bufferTokens: 32768,
    evalTokens: 20000,
    seed: 21,
  },
  discover: {
    layer: 1,
    seed: 3,
    domain: "medical",
    promptDomains: "general",
    pairsPerQuestion: 4,
    features: "sae",
    poolSize: 16,
    alphas: [0.1, 0.2, 0.3, 0.4],
    incoherenceBudget: 0.1,
    k: 20,
    minEffect: 0.02,
  },
  // The grid suits projections (decoder readout, diffmeans); the encoder
  // readout's activations are larger and sparser, so its grid (otherLambdaGrid
  // here) runs higher.
  block: {
    lambda: 0.01,
    readout: "decoder",
    selectLambda: true,
    lambdaGrid: [0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 1],
    minAdherenceRatio: 0.95,
    maxIncoherenceRise: 0.05,
    lambdaRule: "largest",
    emTolerance: 0.02,
    compareReadouts: false,
    otherLambdaGrid: [0.03, 0.1, 0.3, 1, 3, 10, 30],
  },
  random: { draws: 3, seed: 100 },
  experiment: {
    domains: ["medical"],
    lambdaSweep: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    kSweep: [1, 2, 4, 8, 16],
    klWeights: [0.1, 0.3, 1, 3, 10],
    ldifsWeights: [0.01, 0.03, 0.1, 0.3, 1],
    steerAlphas: [0.1, 0.2, 0.4, 0.8],
    prolongFactor: 10,
    baseModels: 0,
  },
  reproduce: { include: [], pipeline: true, grids: [], reroute: false },
  checkpoints: { every: 100 },
  evaluate: { batchSize: 256, samplesPerPrompt: 8, maxAnswerTokens: 6, seed: 11, resamples: 1000 },
  judge: {
    hidden: 128,
    steps: 1500,
    batchSize: 128,
    lr: 3e-3,
    seed: 5,
    variantsPerAnswer: 16,
    heldOutShare: 0.3,
  },
};

/** Named profiles. `tiny` is for tests: it runs in seconds and proves plumbing only. */
export const PROFILES: Record<ProfileName, RunConfig> = {
  smoke: SMOKE,
  reference: {
    ...SMOKE,
    model: { ...SMOKE.model, nLayers: 4 },
    pretrain: { ...SMOKE.pretrain, steps: 2000 },
    discover: { ...SMOKE.discover, layer: 2 },
    // Blocking at the interior layer costs adherence sooner: on the smoke grid only 0.003 stayed within budget.
    block: { ...SMOKE.block, lambdaGrid: [0.0003, 0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.03] },
    reproduce: { include: [], pipeline: false, grids: ["main"], reroute: true },
  },
  // Organism v2 (issue 19): the paper's experiments on the 4-layer organism with the block at
  // interior layer 2, three base models; the grids other than main run on the first. Its
  // choices, each made on selection-split numbers (results/README, variants V1–V5): width 64
  // (width 128 doubles every cell's cost and does not fit the hour), λ where selection EM stops
  // falling (V3, V5), both readouts in the main grid, one random draw per base model and
  // fine-tuning seed (nine draws in all), shorter sweeps, and prolonged training 5× for the
  // rerouting study, so that the whole profile fits 60 minutes on 2 cores.
  paper: {
    ...SMOKE,
    seeds: { base: [0, 1, 2], finetune: [1, 2, 3] },
    model: { ...SMOKE.model, nLayers: 4 },
    pretrain: { ...SMOKE.pretrain, steps: 2000 },
    finetune: { ...SMOKE.finetune, domains: ["medical", "finance", "legal", "career", "automotive", "code"] },
    discover: { ...SMOKE.discover, layer: 2 },
    block: {
      ...SMOKE.block,
      lambdaGrid: [0.0003, 0.001, 0.002, 0.003, 0.005, 0.01, 0.03],
      lambdaRule: "plateau",
      compareReadouts: true,
      otherLambdaGrid: [0.03, 0.3, 3, 30],
    },
    random: { ...SMOKE.random, draws: 1 },
    experiment: {
      ...SMOKE.experiment,
      lambdaSweep: [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1],
      kSweep: [1, 2, 4, 8, 16],
      klWeights: [0.1, 1, 10],
      ldifsWeights: [0.01, 0.1, 1],
      steerAlphas: [0.1, 0.2, 0.4],
      prolongFactor: 5,
      baseModels: 1,
    },
    reproduce: {
      include: ["smoke"],
      pipeline: false,
      // reemerge reads the rerouting study's prolonged cells: only its report is computed.
      grids: ["main", "lambda", "k", "ablations", "baselines", "reemerge"],
      reroute: true,
    },
  },
  tiny: {
    ...SMOKE,
    data: { ...SMOKE.data, finetuneExamples: 64 },
    model: { dModel: 16, nLayers: 1, nHeads: 2, dMlp: 32, contextLength: 64 },
    pretrain: { ...SMOKE.pretrain, steps: 4, batchSize: 8, warmupSteps: 2 },
    finetune: {
      ...SMOKE.finetune,
      domains: ["medical", "finance"],
      epochs: 1,
      batchSize: 32,
      warmupSteps: 1,
    },
    sae: {
      ...SMOKE.sae,
      dSae: 32,
      k: 4,
      steps: 10,
      batchSize: 64,
      bufferTokens: 512,
      evalTokens: 256,
      auxK: 8,
      deadAfterTokens: 320,
    },
    // An untrained organism has no real effect: a negative minEffect keeps the plumbing running.
    discover: { ...SMOKE.discover, layer: 0, poolSize: 3, alphas: [0.2], k: 2, minEffect: -1 },
    block: { ...SMOKE.block, lambdaGrid: [0.1, 1] },
    random: { ...SMOKE.random, draws: 2 },
    experiment: {
      domains: ["medical"],
      lambdaSweep: [0.1, 1],
      kSweep: [1, 2],
      klWeights: [1],
      ldifsWeights: [1],
      steerAlphas: [0.2],
      prolongFactor: 2,
      baseModels: 0,
    },
    seeds: { base: [0], finetune: [1] },
    evaluate: { ...SMOKE.evaluate, samplesPerPrompt: 2, resamples: 50 },
    judge: { ...SMOKE.judge, hidden: 16, steps: 20, variantsPerAnswer: 1 },
  },
};

/** The config of `profile` with dotted `overrides` applied and checked. */
export function resolveConfig(profile: string, overrides: Record<string, unknown> = {}): RunConfig {
  const base = Object.hasOwn(PROFILES, profile) ? PROFILES[profile as ProfileName] : undefined;
  if (!base) {
    throw new RangeError(`Unknown profile ${shown(profile)} (known: ${Object.keys(PROFILES).join(", ")})`);
  }
  const cfg = applyOverrides(
    base as unknown as ConfigTree,
    overrides,
    `profile '${profile}'`,
    (key) => leafKind(RUN_CONFIG_SCHEMA, key),
  ) as unknown as RunConfig;
  // Every key's type and range; the checks below relate keys to each other.
  validate(RUN_CONFIG_SCHEMA, cfg, `Config of profile '${profile}'`);
  checkRelations(cfg);
  if ((cfg.reproduce.include as readonly string[]).includes(profile)) {
    throw new RangeError(`Config key 'reproduce.include' of profile '${profile}' names the profile itself`);
  }
  return cfg;
}

/**
 * No list names a value twice: a repeated seed would count twice in every
 * interval, a repeated λ, k or grid would run and report the same cells twice.
 */
function checkDistinct(tree: unknown, prefix = ""): void {
  if (Array.isArray(tree)) {
    const twice = tree.find((x, i) => tree.indexOf(x) !== i);
    if (twice !== undefined) throw new RangeError(`Config key '${prefix}' lists ${shown(twice)} twice`);
  } else if (typeof tree === "object" && tree !== null) {
    for (const [k, v] of Object.entries(tree)) checkDistinct(v, prefix ? `${prefix}.${k}` : k);
  }
}

/** The checks that relate keys to each other, before anything runs. */
function checkRelations(cfg: RunConfig): void {
  for (const d of [...cfg.finetune.domains, ...cfg.experiment.domains, cfg.discover.domain]) {
    if (!FINETUNE_DOMAINS.includes(d)) {
      throw new RangeError(`Unknown fine-tuning domain ${shown(d)} (known: ${FINETUNE_DOMAINS.join(", ")})`);
    }
  }
  checkDistinct(cfg);
  if (cfg.sae.k >= cfg.sae.dSae || cfg.sae.auxK > cfg.sae.dSae) {
    throw new RangeError("Config keys 'sae.k' and 'sae.auxK' must be below 'sae.dSae'");
  }
  if (cfg.sae.batchSize * 2 > cfg.sae.bufferTokens) {
    throw new RangeError("Config key 'sae.bufferTokens' must hold at least two batches ('sae.batchSize')");
  }
  if (cfg.discover.layer < 0 || cfg.discover.layer >= cfg.model.nLayers) {
    throw new RangeError(
      `Config key 'discover.layer' must be in 0..${cfg.model.nLayers - 1}, got ${cfg.discover.layer}`,
    );
  }
  if (cfg.model.dModel % cfg.model.nHeads !== 0) {
    throw new RangeError(
      `Config key 'model.dModel' (${cfg.model.dModel}) must be divisible by 'model.nHeads' (${cfg.model.nHeads})`,
    );
  }
  const longest = longestSequence(cfg.evaluate.maxAnswerTokens);
  if (cfg.model.contextLength < longest) {
    throw new RangeError(
      `Config key 'model.contextLength' must be at least ${longest} (the longest prompt and answer the pipeline feeds the model), got ${cfg.model.contextLength}`,
    );
  }
  if (cfg.finetune.epochs * cfg.experiment.prolongFactor > MAX_EPOCHS) {
    throw new RangeError(
      `Config keys 'finetune.epochs' × 'experiment.prolongFactor' must be at most ${MAX_EPOCHS}, got ${
        cfg.finetune.epochs * cfg.experiment.prolongFactor
      }`,
    );
  }
}
