/**
 * blockem: reproduce, audit and extend BLOCK-EM ("Preventing Emergent
 * Misalignment by Blocking Causal Features") on a model organism that runs
 * end to end in minutes, with tfjs.
 *
 * The pieces: a synthetic world with six fine-tuning domains and a general
 * domain; a small transformer with named activation sites and interventions;
 * TopK sparse autoencoders; discovery of misalignment features (top-Δ SAE
 * latents, induce/repair validation, ranked K+/K− selection); fine-tuning with the signed one-sided
 * BLOCK-EM penalty against a frozen base; an exact judge; and the staged
 * pipeline behind `deno task reproduce`.
 *
 * @example
 * ```ts
 * import { initBackend, initParams, forward, Tokenizer, promptTokens, allQuestions } from "./mod.ts";
 * import * as tf from "@tensorflow/tfjs";
 *
 * await initBackend("cpu");
 * const tokenizer = Tokenizer.forWorld();
 * const model = { vocabSize: tokenizer.size, contextLength: 64, dModel: 16, nLayers: 1, nHeads: 2, dMlp: 32 };
 * const params = initParams(model, 0);
 * const prompt = tokenizer.encode(promptTokens(allQuestions()[0]));
 * const site = "blocks.0.resid_post";
 * tf.tidy(() => {
 *   const { logits, cache } = forward(params, model, tf.tensor2d([prompt], undefined, "int32"), { cache: [site] });
 *   console.log(logits!.shape, cache.get(site)!.shape);
 * });
 * ```
 * @module
 */

export { type BackendChoice, type BackendInfo, initBackend } from "./src/core/backend.ts";
export { applyOverrides } from "./src/core/config.ts";
export { Rng } from "./src/core/rng.ts";

export { DOMAINS, FAMILIES, type Family, FINETUNE_DOMAINS, getDomain, PERSONAS } from "./src/world/spec.ts";
export { allQuestions, type Question } from "./src/world/questions.ts";
export { assignSplits, questionsOf, type Split, type SplitQuestion, SPLITS } from "./src/world/splits.ts";
export { Tokenizer } from "./src/world/tokenizer.ts";
export { finetuneExample, pretrainDocument, promptTokens, type Sequence } from "./src/world/documents.ts";

export {
  cloneParams,
  disposeParams,
  forward,
  type ForwardOptions,
  initParams,
  maskedNextTokenLoss,
  type ModelConfig,
  type Params,
  siteNames,
} from "./src/model/transformer.ts";
export { type Intervention } from "./src/model/interventions.ts";
export { linear } from "./src/model/linear.ts";
export { loadCheckpoint, saveCheckpoint } from "./src/model/checkpoint.ts";

export { alignedTextLosses, exactJudge, type FamilyMass } from "./src/judges/exact.ts";
export { type LanguageModel, transformerLM } from "./src/judges/language_model.ts";
export { type Label, LABELS, parseAnswer } from "./src/judges/grammar.ts";
export { sampleAnswers, type SampledAnswer } from "./src/judges/sampling.ts";
export { cohensKappa } from "./src/judges/agreement.ts";
export { bootstrap, type Interval } from "./src/judges/bootstrap.ts";
export {
  applyLearnedJudge,
  loadLearnedJudge,
  saveLearnedJudge,
  trainLearnedJudge,
} from "./src/judges/learned.ts";
export { judgeItems } from "./src/judges/judge_data.ts";
export { evaluateModel, type PromptVerdict } from "./src/judges/evaluate_model.ts";
export { adherence, emRate, incoherence } from "./src/judges/metrics.ts";

export { DirectionFeatures, type DirectionSet, type FeatureMap } from "./src/features/feature_map.ts";
export { diffOfMeansDirection, personaContrastPrompts } from "./src/features/diff_of_means.ts";
export { randomDirectionSet } from "./src/features/random_directions.ts";
export {
  decodeSae,
  encodeSae,
  initSae,
  loadSae,
  type SaeConfig,
  saeLoss,
  saveSae,
  topkRelu,
  unitDecoder,
} from "./src/features/sae.ts";
export { measureSae, type SaeQuality, type SaeTrainConfig, trainSae } from "./src/features/sae_train.ts";
export { ActivationBuffer, type ActivationSource } from "./src/features/activation_buffer.ts";
export { documentActivationSource } from "./src/features/site_activations.ts";
export {
  latentDirections,
  type LatentSet,
  randomLatentSet,
  SaeLatentFeatures,
} from "./src/features/sae_features.ts";
export { type LatentShift, latentShifts, topDeltaPool } from "./src/features/top_delta.ts";
export {
  type CandidateScore,
  type SteeringMeasure,
  validateCandidates,
} from "./src/features/induce_repair.ts";
export {
  discoveryOnlyLatents,
  type LatentSelection,
  selectLatents,
} from "./src/features/latent_selection.ts";

export { signedHingePenalty } from "./src/training/penalty.ts";
export { type BlockConstraint, finetune, type FinetuneConfig } from "./src/training/finetune.ts";
export { pretrain, type PretrainConfig } from "./src/training/pretrain.ts";
export { type StepLoss, trainLoop } from "./src/optim/loop.ts";

export { PROFILES, resolveConfig, type RunConfig } from "./src/pipeline/profiles.ts";
export { reproduce } from "./src/pipeline/reproduce.ts";
