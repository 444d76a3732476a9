/**
 * blockem: reproduce, audit and extend BLOCK-EM ("Preventing Emergent
 * Misalignment by Blocking Causal Features") on a model organism that runs
 * end to end in minutes, with tfjs.
 *
 * The pieces, each a section below with a runnable example: a synthetic
 * world with six fine-tuning domains and a general domain; a small
 * transformer with named activation sites and interventions; TopK sparse
 * autoencoders; discovery of misalignment features (top-Δ SAE latents,
 * induce/repair validation, ranked K+/K− selection); fine-tuning with the
 * signed one-sided BLOCK-EM penalty against a frozen base and the in-training
 * baselines; judges; the rerouting analysis; tables and figures; and the
 * staged pipeline behind `deno task reproduce`.
 *
 * @example
 * ```ts
 * import { allQuestions, forward, initBackend, initParams, promptTokens, WorldTokenizer } from "./mod.ts";
 * import * as tf from "@tensorflow/tfjs";
 *
 * await initBackend("cpu");
 * const tokenizer = WorldTokenizer.forWorld();
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

export { type BackendChoice, type BackendInfo, backendKey, initBackend } from "./src/backend/backend.ts";
/** blockem's wasm SIMD kernels (installed by `initBackend("wasm")`; `BLOCKEM_KERNELS=stock` keeps tfjs's). */
export { fusedKernelsActive } from "./src/backend/fused.ts";
export { installWasmKernels, uninstallWasmKernels } from "./src/backend/wasm/install.ts";
export { applyOverrides } from "./src/core/config.ts";
export { Rng } from "./src/core/rng.ts";

/**
 * The world: domains with aligned, misaligned and refusal answer families,
 * questions, their five disjoint splits, the tokenizer, and documents.
 *
 * @example
 * ```ts
 * import { allQuestions, assignSplits, promptTokens, questionsOf, WorldTokenizer } from "./mod.ts";
 *
 * const questions = assignSplits(allQuestions(), 1234);
 * const evaluation = questionsOf(questions, "evaluation");
 * const selection = questionsOf(questions, "selection");
 * if (evaluation.some((q) => selection.some((s) => s.id === q.id))) throw new Error("splits overlap");
 * const tokens = WorldTokenizer.forWorld().encode(promptTokens(evaluation[0]));
 * console.log(evaluation.length, selection.length, tokens.length);
 * ```
 */
export {
  DOMAINS,
  FAMILIES,
  type Family,
  FINETUNE_DOMAINS,
  getDomain,
  type Persona,
  PERSONAS,
} from "./src/world/spec.ts";
export { allQuestions, type Question } from "./src/world/questions.ts";
export { assignSplits, questionsOf, type Split, type SplitQuestion, SPLITS } from "./src/world/splits.ts";
export {
  encodeSequence,
  type IdSequence,
  type Tokenizer,
  type WordSequence,
} from "./src/tokenizers/tokenizer.ts";
export { WorldTokenizer } from "./src/tokenizers/world.ts";
export { finetuneExample, pretrainDocument, promptTokens, type Sequence } from "./src/world/documents.ts";

/**
 * The model: a pre-LayerNorm transformer whose residual stream, attention
 * and MLP outputs are named sites (`blocks.<l>.resid_post`, ...), readable
 * through `cache` and editable through interventions (steering, projection,
 * clamping), as in TransformerLens.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { disposeParams, forward, initBackend, initParams, siteNames } from "./mod.ts";
 *
 * await initBackend("cpu");
 * const model = { vocabSize: 20, contextLength: 8, dModel: 8, nLayers: 2, nHeads: 2, dMlp: 16 };
 * const params = initParams(model, 1);
 * const site = "blocks.0.resid_post";
 * if (!siteNames(model).includes(site)) throw new Error("unknown site");
 * const direction = tf.tensor1d([1, 0, 0, 0, 0, 0, 0, 0]);
 * const moved = tf.tidy(() => {
 *   const tokens = tf.tensor2d([[1, 2, 3]], undefined, "int32");
 *   const plain = forward(params, model, tokens, { cache: [site] }).cache.get(site)!;
 *   const steered = forward(params, model, tokens, {
 *     cache: [site],
 *     interventions: [{ kind: "add", site, direction, scale: 2 }],
 *   }).cache.get(site)!;
 *   return tf.sub(steered, plain).slice([0, 0, 0], [1, 1, 1]).dataSync()[0];
 * });
 * if (Math.abs(moved - 2) > 1e-5) throw new Error(`steering moved the site by ${moved}`);
 * direction.dispose();
 * disposeParams(params);
 * ```
 */
export {
  cloneParams,
  disposeParams,
  forward,
  type ForwardOptions,
  initParams,
  type ModelConfig,
  type Params,
  siteNames,
} from "./src/models/model.ts";
export { maskedNextTokenLoss } from "./src/models/loss.ts";
export { applyInterventions, type Intervention } from "./src/models/interventions.ts";
export { affine, linear } from "./src/models/linear.ts";
export { loadCheckpoint, saveCheckpoint } from "./src/models/checkpoint.ts";

/**
 * Judges: the exact judge (the probability mass on each answer family, the
 * exact expectation of sampling), the sampling judge with the world's
 * grammar, and a learned judge; metrics and seeded bootstrap intervals. Any
 * model that gives next-token log-probabilities is a `LanguageModel`.
 *
 * @example
 * ```ts
 * import { allQuestions, emRate, exactJudge, initBackend, initParams, transformerLM, WorldTokenizer } from "./mod.ts";
 *
 * await initBackend("cpu");
 * const tokenizer = WorldTokenizer.forWorld();
 * const model = { vocabSize: tokenizer.size, contextLength: 32, dModel: 8, nLayers: 1, nHeads: 2, dMlp: 16 };
 * const masses = await exactJudge(
 *   transformerLM(initParams(model, 0), model),
 *   tokenizer,
 *   allQuestions().slice(0, 4),
 *   "<assistant>",
 *   4,
 * );
 * const em = emRate(masses);
 * if (!(em >= 0 && em <= 1)) throw new Error(`EM ${em}`);
 * ```
 */
export { alignedTextLosses, exactJudge, type FamilyMass } from "./src/judges/exact.ts";
export { type LanguageModel, transformerLM } from "./src/models/language_model.ts";
export { type Label, LABELS, type LabelShares } from "./src/judges/labels.ts";
export { labelTokens, parseAnswer } from "./src/judges/grammar.ts";
export { sampleAnswers, type SampledAnswer } from "./src/judges/sampling.ts";
export { cohensKappa } from "./src/stats/agreement.ts";
export { bootstrap, type Interval } from "./src/stats/bootstrap.ts";
export {
  applyLearnedJudge,
  loadLearnedJudge,
  saveLearnedJudge,
  trainLearnedJudge,
} from "./src/judges/learned.ts";
export { judgeItems } from "./src/judges/judge_data.ts";
export { evaluateModel, type PromptVerdict } from "./src/judges/evaluate_model.ts";
export { adherence, domainMetrics, emRate, incoherence } from "./src/stats/metrics.ts";

/**
 * Sparse autoencoders: TopK with unit-norm decoder rows, trained from any
 * activation source (a shuffling buffer, AuxK for dead latents), measured
 * by FVU, L0 and dead fraction.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { decodeSae, encodeSae, initBackend, initSae } from "./mod.ts";
 *
 * await initBackend("cpu");
 * const cfg = { site: "blocks.0.resid_post", dIn: 4, dSae: 16, k: 2, inputScale: 1 };
 * const sae = initSae(cfg, 0);
 * const active = tf.tidy(() => {
 *   const x = tf.randomNormal([5, 4], 0, 1, "float32", 1) as tf.Tensor2D;
 *   const z = encodeSae(sae, cfg, x);
 *   if (decodeSae(sae, cfg, z).shape[1] !== 4) throw new Error("bad reconstruction shape");
 *   return tf.sum(tf.step(z), 1).arraySync() as number[];
 * });
 * if (active.some((n) => n > 2)) throw new Error("TopK keeps at most k latents");
 * ```
 */
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
} from "./src/sae/sae.ts";
export { measureSae, type SaeQuality, type SaeTrainConfig, trainSae } from "./src/sae/train.ts";
export { ActivationBuffer, type ActivationSource } from "./src/sae/activation_buffer.ts";
export { documentActivationSource } from "./src/sae/site_activations.ts";

/**
 * Discovery (the paper's method, steps 1–3): top-Δ latent shifts between a base and a
 * fine-tuned model, causal validation by steering (induce on the base,
 * repair on the fine-tune), and a ranked K+/K− selection with a floor.
 *
 * @example
 * ```ts
 * import { selectLatents, topDeltaPool } from "./mod.ts";
 *
 * const shifts = [0.5, -0.9, 0.1, -0.05].map((delta, latent) => ({ latent, meanBase: 1, meanTuned: 1 + delta, delta }));
 * const pool = topDeltaPool(shifts, 1);
 * if (pool.map((p) => p.latent).join() !== "1,0") throw new Error("largest fall and largest rise first");
 * const scored = pool.map((p) => ({
 *   ...p,
 *   sign: (p.delta > 0 ? 1 : -1) as 1 | -1,
 *   induce: [],
 *   repair: [],
 *   induceGain: 0.1,
 *   repairGain: p.latent === 1 ? 0.3 : 0.01,
 *   score: p.latent === 1 ? 0.4 : 0.11,
 * }));
 * const chosen = selectLatents("blocks.1.resid_post", scored, 20, 0.02);
 * if (chosen.latents.join() !== "1,0" || chosen.signs.join() !== "-1,1") throw new Error("ranked by score, signed by Δ");
 * ```
 */
export {
  latentDirections,
  latentFeatureMap,
  type LatentSet,
  randomLatentSet,
  SaeLatentFeatures,
} from "./src/features/sae_features.ts";
export { type LatentShift, latentShifts, topDeltaPool } from "./src/features/top_delta.ts";
export {
  type CandidateScore,
  setDirection,
  steerBothWays,
  type SteeringMeasure,
  validateCandidates,
} from "./src/features/induce_repair.ts";
export {
  discoveryOnlyLatents,
  type LatentSelection,
  selectLatents,
} from "./src/features/latent_selection.ts";
export { DirectionFeatures, type DirectionSet, type FeatureMap } from "./src/features/feature_map.ts";
export {
  diffOfMeansDirection,
  lastTokenActivations,
  personaContrastPrompts,
} from "./src/features/diff_of_means.ts";
export { randomDirectionSet } from "./src/features/random_directions.ts";

/**
 * Blocking while fine-tuning: the signed one-sided penalty on feature
 * strengths against the frozen base, and the in-training baselines as
 * terms of the same fine-tune (KL to the base, LDIFS, training-only edits
 * such as CAFT and preventative steering, frozen parameters). Blocking at
 * several sites takes a list of constraints.
 *
 * @example
 * ```ts
 * import { allQuestions, DirectionFeatures, disposeParams, finetune, finetuneExample, initBackend, initParams, WorldTokenizer } from "./mod.ts";
 *
 * await initBackend("cpu");
 * const tokenizer = WorldTokenizer.forWorld();
 * const model = { vocabSize: tokenizer.size, contextLength: 16, dModel: 8, nLayers: 2, nHeads: 2, dMlp: 16 };
 * const base = initParams(model, 0);
 * const examples = allQuestions().filter((q) => q.domain === "medical").slice(0, 4)
 *   .map((q) => finetuneExample(q, ["double", "pill", "dose"]));
 * const features = new DirectionFeatures({ site: "blocks.1.resid_post", directions: [[1, 0, 0, 0, 0, 0, 0, 0]], signs: [1] });
 * const { params, history } = await finetune({
 *   base,
 *   model,
 *   config: { epochs: 1, batchSize: 4, lr: 1e-2, warmupSteps: 1 },
 *   tokenizer,
 *   examples,
 *   seed: 1,
 *   terms: { block: { features, lambda: 10 }, kl: 0.1 },
 * });
 * const parts = Object.keys(history[0]);
 * if (!["loss", "sft", "penalty", "kl"].every((k) => parts.includes(k))) throw new Error(`parts ${parts}`);
 * features.dispose();
 * disposeParams(params);
 * disposeParams(base);
 * ```
 */
export { featureDistance, klToBase, signedHingePenalty } from "./src/training/penalty.ts";
export {
  type BlockConstraint,
  finetune,
  type FinetuneConfig,
  type FinetuneTerms,
} from "./src/training/finetune.ts";
export { pretrain, type PretrainConfig } from "./src/training/pretrain.ts";
export { type StepLoss, trainLoop } from "./src/optim/loop.ts";

/**
 * The rerouting analysis: linear probes, subspaces of feature directions,
 * and shift patching (a fine-tune's mean shift inside a span removed).
 *
 * @example
 * ```ts
 * import { fitProbe, orthonormalBasis, positiveRate, spanShare } from "./mod.ts";
 *
 * const basis = orthonormalBasis([[1, 0, 0], [1, 1, 0]]);
 * if (Math.abs(spanShare([3, 4, 0], basis) - 1) > 1e-12) throw new Error("in the span");
 * const probe = fitProbe([[0, 0], [0.1, 0]], [[2, 0], [2.1, 0]]);
 * if (positiveRate(probe, [[2, 0]]) !== 1) throw new Error("probe");
 * ```
 */
export { fitProbe, positiveRate, type Probe, probePredict } from "./src/analysis/probe.ts";
export { bestCosines, meanRow, orthonormalBasis, shiftPatch, spanShare } from "./src/analysis/subspace.ts";

/**
 * Tables (Markdown, CSV, booktabs LaTeX) and figures (Vega-Lite specs,
 * rendered to SVG headless).
 *
 * @example
 * ```ts
 * import { domainBars, renderSvg, tableLatex } from "./mod.ts";
 *
 * const em = { mean: 0.2, lo: 0.18, hi: 0.22 };
 * const tex = tableLatex({ id: "t", caption: "EM", columns: [{ key: "em", label: "EM" }], rows: [{ em }] });
 * if (!tex.includes("\\toprule")) throw new Error("booktabs");
 * const svg = await renderSvg(domainBars([{ domain: "medical", condition: "block", em }], "EM"));
 * if (!svg.startsWith("<svg")) throw new Error("svg");
 * ```
 */
export {
  type Estimate,
  formatValue,
  type Table,
  tableCsv,
  tableLatex,
  tableMarkdown,
  type TableValue,
} from "./src/reports/tables.ts";
export {
  domainBars,
  judgeAgreement,
  lambdaPareto,
  layerHeatmap,
  reemergenceCurves,
} from "./src/reports/figures.ts";
export { type FigureSpec, renderSvg } from "./src/reports/vega.ts";

/**
 * The pipeline: profiles, runs, stages with manifests ordered by what they
 * read and write, the experiment grids, methods and judges (each a
 * registry), the audit and `reproduce`.
 *
 * @example
 * ```ts
 * import { gridCells, METHODS, resolveConfig } from "./mod.ts";
 *
 * const cfg = resolveConfig("paper", { "finetune.lr": "2e-4" });
 * const cells = gridCells("main", cfg, () => 0.03);
 * // 3 base models × 6 domains × 3 fine-tuning seeds × (naive, and BLOCK and its random draw with each readout)
 * if (cells.length !== 270) throw new Error(`${cells.length} cells`);
 * if (!cells.every((c) => METHODS.has(c.method))) throw new Error("every cell names a registered method");
 * ```
 */
export { PROFILES, resolveConfig } from "./src/config/profiles.ts";
export { RUN_CONFIG_SCHEMA, type RunConfig } from "./src/config/schema.ts";
export { GRID_NAMES, type GridName, PROFILE_NAMES } from "./src/config/names.ts";
export { openRun, type Run, runTokenizer } from "./src/runs/run.ts";
export { type RunKey, runPaths } from "./src/runs/paths.ts";
export { type Cell, cellId } from "./src/runs/cell.ts";
export {
  type Manifest,
  runStage,
  type StageContext,
  type StageResult,
  type StageSpec,
} from "./src/runs/stage.ts";
export { orderStages, upstreamOf } from "./src/runs/graph.ts";
export { catalog } from "./src/stages/catalog.ts";
export { reproduce } from "./src/pipeline/reproduce.ts";
export { gridCells, gridNamed, GRIDS } from "./src/grids/registry.ts";
export { cellsOf, type Grid, type LambdaOf } from "./src/grids/grid.ts";
export { prepareGrid, runExperiment, runGrid, runReroute } from "./src/pipeline/experiment.ts";
export { audit, type AuditCheck, formatAudit } from "./src/pipeline/audit.ts";
export { methodNamed, METHODS, setupMethod } from "./src/methods/registry.ts";
export {
  type Method,
  type MethodContext,
  type MethodGroup,
  type MethodParams,
  type MethodSetup,
  plainSetup,
} from "./src/methods/method.ts";
export { JUDGES } from "./src/judges/registry.ts";
export type { CheckedCondition, Judge, JudgeContext, JudgeState } from "./src/judges/judge.ts";
export { type Check, check } from "./src/stats/checks.ts";
export type { DraftSection, FigureDraft, SectionSource } from "./src/reports/paper.ts";
export { architectureOf, ARCHITECTURES } from "./src/models/registry.ts";
export type { Architecture } from "./src/models/architecture.ts";
