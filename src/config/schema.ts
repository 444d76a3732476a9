/**
 * The schema of a resolved run config: every section and key, with types
 * and ranges. `resolveConfig` checks every profile and override against it,
 * and so does a plan's embedded config before a cell runs from it.
 * @module
 */
import { int, num, positive, v } from "../core/schema.ts";
import { GRIDS } from "../grids/grids.ts";

const ints = (min = 0) => v.pipe(v.array(int(min)), v.minLength(1));
const nums = (min = 0) => v.pipe(v.array(num(min)), v.minLength(1));
const share = () => num(0, 1);

/** Every key of a run config with its type and range; unknown keys are errors. */
export const RUN_CONFIG_SCHEMA = v.strictObject({
  seeds: v.strictObject({ base: ints(), finetune: ints() }),
  data: v.strictObject({ splitSeed: int(), dataSeed: int(), finetuneExamples: int(1) }),
  world: v.strictObject({ narrowShare: share() }),
  model: v.strictObject({
    dModel: int(1),
    nLayers: int(1),
    nHeads: int(1),
    dMlp: int(1),
    contextLength: int(2),
  }),
  pretrain: v.strictObject({
    steps: int(1),
    batchSize: int(1),
    lr: positive(),
    warmupSteps: int(),
    weightDecay: num(0),
  }),
  finetune: v.strictObject({
    domains: v.pipe(v.array(v.string()), v.minLength(1)),
    epochs: int(1),
    batchSize: int(1),
    lr: positive(),
    warmupSteps: int(),
  }),
  sae: v.strictObject({
    dSae: int(2),
    k: int(1),
    steps: int(1),
    batchSize: int(1),
    lr: positive(),
    auxK: int(0),
    auxCoef: num(0),
    deadAfterTokens: int(1),
    bufferTokens: int(2),
    evalTokens: int(1),
    seed: int(),
  }),
  discover: v.strictObject({
    layer: int(),
    seed: int(),
    domain: v.string(),
    promptDomains: v.picklist(["general", "all"]),
    pairsPerQuestion: int(1),
    features: v.picklist(["sae", "diffmeans"]),
    poolSize: int(1),
    alphas: nums(),
    incoherenceBudget: share(),
    k: int(1),
    minEffect: num(),
  }),
  block: v.strictObject({
    lambda: num(0),
    readout: v.picklist(["encoder", "decoder"]),
    selectLambda: v.boolean(),
    lambdaGrid: nums(),
    minAdherenceRatio: share(),
    maxIncoherenceRise: share(),
  }),
  random: v.strictObject({ draws: int(1), seed: int() }),
  experiment: v.strictObject({
    domains: v.pipe(v.array(v.string()), v.minLength(1)),
    lambdaSweep: nums(),
    kSweep: ints(1),
    klWeights: nums(),
    ldifsWeights: nums(),
    steerAlphas: v.pipe(v.array(num()), v.minLength(1)),
    prolongFactor: int(1),
  }),
  reproduce: v.strictObject({
    include: v.array(v.picklist(["smoke", "reference", "paper", "tiny"])),
    pipeline: v.boolean(),
    grids: v.array(v.picklist(GRIDS)),
    reroute: v.boolean(),
  }),
  checkpoints: v.strictObject({ every: int() }),
  evaluate: v.strictObject({
    batchSize: int(1),
    samplesPerPrompt: int(1),
    maxAnswerTokens: int(1),
    seed: int(),
    resamples: int(1),
  }),
  judge: v.strictObject({
    hidden: int(1),
    steps: int(1),
    batchSize: int(1),
    lr: positive(),
    seed: int(),
    variantsPerAnswer: int(1),
    heldOutShare: v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
  }),
});
