/**
 * The schema of a resolved run config: every section and key, with types
 * and ranges. `RunConfig` is inferred from it, so the type and the checks
 * cannot drift apart. `resolveConfig` checks every profile and override
 * against it, and so does a plan's embedded config before a cell runs from it.
 * @module
 */
import { intIn, num, positive, seed, v } from "../core/schema.ts";
import { GRID_NAMES, PROFILE_NAMES } from "./names.ts";

const ints = (min = 0) => v.pipe(v.array(int(min)), v.minLength(1));
const seeds = () => v.pipe(v.array(seed()), v.minLength(1));

/**
 * The most steps a training stage may take (pretraining, the SAE, the
 * learned judge), and the most epochs a fine-tune may run (after
 * `experiment.prolongFactor`): bounds that keep a typo from starting a run
 * of years.
 */
export const MAX_STEPS = 1_000_000, MAX_EPOCHS = 1_000, MAX_EXAMPLES = 1_000_000;
/** The largest any other whole-number setting may be (sizes, batches, tokens, resamples, draws). */
export const MAX_COUNT = 1_000_000;
const int = (min = 0) => intIn(min, MAX_COUNT);
const steps = () => intIn(1, MAX_STEPS);
const nums = (min = 0) => v.pipe(v.array(num(min)), v.minLength(1));
const share = () => num(0, 1);

/** Every key of a run config with its type and range; unknown keys are errors. */
export const RUN_CONFIG_SCHEMA = v.strictObject({
  /** The seed grid: every base (pretraining) seed × every fine-tuning seed. */
  seeds: v.strictObject({ base: seeds(), finetune: seeds() }),
  data: v.strictObject({ splitSeed: seed(), dataSeed: seed(), finetuneExamples: intIn(1, MAX_EXAMPLES) }),
  /** Persona mix of pretraining documents (see PersonaMix). */
  /**
   * narrowShare: share of <bot> documents whose speaker is bad in one domain
   * only. rogueShare: share of documents by a second misaligned persona,
   * `<rogue>`, whose answers are the last half of each misaligned family
   * (`world/spec.ts`); 0 leaves the world, and its vocabulary, as they were.
   */
  world: v.strictObject({ narrowShare: share(), rogueShare: share() }),
  model: v.strictObject({
    dModel: int(1),
    nLayers: int(1),
    nHeads: int(1),
    dMlp: int(1),
    contextLength: int(2),
  }),
  /**
   * batchSize counts documents per step; `pack` puts several to a row
   * (`training/packing.ts`: each computes what it would alone, fewer rows
   * are computed) instead of one padded row each.
   */
  pretrain: v.strictObject({
    steps: steps(),
    batchSize: int(1),
    lr: positive(),
    warmupSteps: int(),
    weightDecay: num(0),
    pack: v.boolean(),
  }),
  /** domains: every fine-tuning domain run with every condition; features are found once, on discover.domain. */
  finetune: v.strictObject({
    domains: v.pipe(v.array(v.string()), v.minLength(1)),
    epochs: intIn(1, MAX_EPOCHS),
    batchSize: int(1),
    lr: positive(),
    warmupSteps: int(),
    /**
     * A pull of the trained weights back toward the base after every step,
     * θ ← θ − lr·pullToBase·(θ − θ_base) (weight decay toward the base
     * instead of toward zero). 0: none. Under prolonged training it keeps the
     * fine-tune from narrowing onto its task, so naive EM keeps rising.
     */
    pullToBase: num(0),
  }),
  /**
   * The TopK SAE at the block layer, trained on the base model's activations
   * over pretraining-split documents. dSae latents, k active per token.
   */
  sae: v.strictObject({
    dSae: int(2),
    k: int(1),
    steps: steps(),
    batchSize: int(1),
    lr: positive(),
    auxK: int(0),
    auxCoef: num(0),
    deadAfterTokens: int(1),
    bufferTokens: int(2),
    /** Fresh tokens the SAE's FVU, L0 and dead fraction are measured on. */
    evalTokens: int(1),
    seed: seed(),
  }),
  /**
   * Discovery (the paper's steps 1–3): a naive fine-tune on `domain` (seed `seed`) is
   * diffed against the base with the SAE on selection-split prompts.
   * promptDomains: "general" uses the domain-agnostic (general-domain)
   * selection questions, as the paper's discovery prompts; "all" uses every
   * domain's selection questions. poolSize: N rises and N falls kept by
   * top-Δ; alphas: steering strengths as fractions of the mean activation
   * norm at the site; incoherenceBudget: largest incoherence rise a
   * strength may cause; k latents with score ≥ minEffect are kept.
   * features: what `block` holds, "sae" (the selected latents) or
   * "diffmeans" (one difference-of-means direction over persona contexts).
   */
  discover: v.strictObject({
    layer: int(),
    seed: seed(),
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
  /**
   * selectLambda: choose λ on the selection split (stage `select`) among
   * the λ of lambdaGrid whose selection-split adherence stays at least
   * minAdherenceRatio × naive and whose incoherence rises by at most
   * maxIncoherenceRise: by lambdaRule "largest", the largest of them; by
   * "plateau", the smallest whose EM is within emTolerance of their lowest
   * (`stats/strength.ts`). Otherwise `lambda` is used as given.
   */
  block: v.strictObject({
    lambda: num(0),
    /**
     * How SAE latents are read during a blocked fine-tune: "encoder" (the
     * latent's activation relu(pre), as in the paper) or "decoder" (the
     * projection on its unit decoder direction). See README "Reading SAE latents".
     */
    readout: v.picklist(["encoder", "decoder"]),
    selectLambda: v.boolean(),
    lambdaGrid: nums(),
    minAdherenceRatio: share(),
    maxIncoherenceRise: share(),
    lambdaRule: v.picklist(["largest", "plateau"]),
    emTolerance: share(),
    /**
     * Also run the main grid's BLOCK and random control with the other
     * readout, λ chosen for it on the selection split (stage
     * `select-<readout>`) over otherLambdaGrid: the two readouts side by side.
     */
    compareReadouts: v.boolean(),
    otherLambdaGrid: nums(),
  }),
  random: v.strictObject({ draws: int(1), seed: seed() }),
  /**
   * The experiment grids (`deno task experiment --grid ...`). lambdaSweep
   * and kSweep vary BLOCK on the discovery domain; the ablations and
   * baselines run on `domains`; each baseline's strength grid is measured
   * whole, and its operating point is chosen on the selection split by the
   * rule that chooses λ.
   */
  experiment: v.strictObject({
    domains: v.pipe(v.array(v.string()), v.minLength(1)),
    lambdaSweep: nums(),
    kSweep: ints(1),
    klWeights: nums(),
    ldifsWeights: nums(),
    steerAlphas: v.pipe(v.array(num()), v.minLength(1)),
    /** Prolonged fine-tuning for the re-emergence grid: this many times `finetune.epochs`. */
    prolongFactor: intIn(1, MAX_EPOCHS),
    /**
     * How many base models (the first of `seeds.base`) the grids other than
     * `main` run on; 0: all. The main grid always runs on every one.
     */
    baseModels: int(0),
  }),
  /**
   * What `deno task reproduce` runs for this profile: first the profiles it
   * includes (each as its own section says), then the staged pipeline
   * (fine-tunes, learned judge, three-judge evaluation, summary), the named
   * experiment grids, and the rerouting study; the report always.
   */
  reproduce: v.strictObject({
    include: v.array(v.picklist(PROFILE_NAMES)),
    pipeline: v.boolean(),
    grids: v.array(v.picklist(GRID_NAMES)),
    reroute: v.boolean(),
  }),
  /**
   * Training stages (pretraining, fine-tunes, cells) snapshot every this many
   * steps so that a killed run resumes where it stopped; 0 turns it off. It
   * does not change any result, so no stage's hash includes it.
   */
  checkpoints: v.strictObject({ every: int() }),
  /**
   * samplesPerPrompt: answers sampled per evaluation prompt for the sampling
   * and learned judges; resamples: bootstrap resamples for every interval.
   */
  evaluate: v.strictObject({
    batchSize: int(1),
    samplesPerPrompt: int(1),
    maxAnswerTokens: int(1),
    seed: seed(),
    resamples: int(1),
  }),
  /** The learned judge: an MLP trained on labelled judge-split answers. */
  judge: v.strictObject({
    hidden: int(1),
    steps: steps(),
    batchSize: int(1),
    lr: positive(),
    seed: seed(),
    variantsPerAnswer: int(1),
    heldOutShare: v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
  }),
});

/** The resolved config of a run, shared by every stage (what the schema accepts). */
export type RunConfig = v.InferOutput<typeof RUN_CONFIG_SCHEMA>;
