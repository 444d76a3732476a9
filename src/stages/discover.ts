/**
 * Stage `discover` (the paper's method, steps 1–3), writing `features/`:
 *  1. top-Δ: the SAE encodes the block-layer activations of the base and
 *     the discovery model on domain-agnostic selection-split prompts; the N
 *     largest rises and falls form the pool;
 *  2. induce and repair: steering along each pooled latent's decoder
 *     direction, judged exactly on the same prompts, with an α sweep and an
 *     incoherence budget;
 *  3. ranked selection of k latents into K+ and K−.
 * The difference-of-means direction over persona contexts is recorded too,
 * for every layer (the `diffmeans` feature option).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { sha256File } from "../core/hash.ts";
import { startProgress } from "../core/progress.ts";
import { deriveSeed } from "../core/rng.ts";
import {
  diffOfMeansDirection,
  lastTokenActivations,
  personaContrastPrompts,
} from "../features/diff_of_means.ts";
import {
  setDirection,
  steerBothWays,
  type SteeringMeasure,
  validateCandidates,
} from "../features/induce_repair.ts";
import { discoveryQuestions } from "../features/discovery_questions.ts";
import { selectLatents } from "../features/latent_selection.ts";
import { loadSae } from "../sae/sae.ts";
import { latentDirections, randomLatentSet } from "../features/sae_features.ts";
import { latentShifts, topDeltaPool } from "../features/top_delta.ts";
import { exactJudge } from "../judges/exact.ts";
import { transformerLM } from "../models/language_model.ts";
import { emRate, incoherence } from "../stats/metrics.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/model.ts";
import { blockSite, featurePaths, type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { promptTokens } from "../world/documents.ts";
import type { SplitQuestion } from "../world/splits.ts";

/** Exact-judge EM and incoherence of a (steered) model on `questions`. */
function steeringMeasure(
  models: { base: Params; tuned: Params },
  model: ModelConfig,
  tokenizer: Tokenizer,
  site: string,
  questions: readonly SplitQuestion[],
  batchSize: number,
): SteeringMeasure {
  return async (which, steer) => {
    const direction = steer ? tf.tensor1d(steer.direction as number[]) : null;
    try {
      const lm = transformerLM(
        models[which],
        model,
        direction ? [{ kind: "add", site, direction, scale: steer!.scale }] : [],
      );
      const masses = await exactJudge(lm, tokenizer, questions, "<assistant>", batchSize);
      return { em: emRate(masses), incoherence: incoherence(masses) };
    } finally {
      direction?.dispose();
    }
  };
}

/** Discovery against another fine-tuned model than the discovery model (rediscovery on a re-emerged one). */
export interface DiscoveryTarget {
  name: string;
  /** The fine-tuned checkpoint's folder. */
  model: string;
  /** The output folder. */
  dir: string;
}

type Loaded = Awaited<ReturnType<typeof loadCheckpoint>>;
type LoadedSae = Awaited<ReturnType<typeof loadSae>>;

/** The difference-of-means direction over persona contexts at every layer, and the one at `layer`. */
async function diffOfMeansPerLayer(
  run: Run,
  base: Loaded,
  questions: readonly SplitQuestion[],
  layer: number,
) {
  const contrast = personaContrastPrompts(
    questions,
    run.config.discover.seed,
    run.config.discover.pairsPerQuestion,
  );
  const perLayer = [];
  let chosen = null;
  for (let l = 0; l < base.config.nLayers; l++) {
    const found = await diffOfMeansDirection(base.params, base.config, run.tokenizer, contrast, blockSite(l));
    perLayer.push({ layer: l, site: blockSite(l), ...found.stats });
    if (l === layer) chosen = found.set;
  }
  return { perLayer, chosen: chosen! };
}

/**
 * Steps 1–3: the top-Δ pool at the last prompt token (where the answer is
 * decided), induce/repair validation with α in units of the mean activation
 * norm, and the ranked selection. Rediscovery on another model may select
 * nothing: that is a result, not an error.
 */
async function discoverLatents(
  run: Run,
  base: Loaded,
  tuned: Loaded,
  sae: LoadedSae,
  questions: readonly SplitQuestion[],
  site: string,
  allowEmpty: boolean,
) {
  const cfg = run.config;
  const model = base.config;
  const prompts = questions.map((q) => promptTokens(q));
  const baseActs = await lastTokenActivations(base.params, model, run.tokenizer, prompts, site);
  const tunedActs = await lastTokenActivations(tuned.params, model, run.tokenizer, prompts, site);
  const pool = topDeltaPool(
    await latentShifts(sae.params, sae.config, baseActs, tunedActs),
    cfg.discover.poolSize,
  );
  const meanNorm = baseActs.reduce((s, h) => s + Math.hypot(...h), 0) / baseActs.length;
  const alphas = cfg.discover.alphas.map((a) => a * meanNorm);
  const progress = startProgress("discover/validate", pool.length);
  const measure = steeringMeasure(
    { base: base.params, tuned: tuned.params },
    model,
    run.tokenizer,
    site,
    questions,
    cfg.evaluate.batchSize,
  );
  const { reference, candidates } = await validateCandidates(
    pool,
    await latentDirections(sae.params, pool.map((p) => p.latent)),
    alphas,
    cfg.discover.incoherenceBudget,
    measure,
    (done) => progress.update(done),
  );
  progress.stop();
  let selection;
  try {
    selection = selectLatents(site, candidates, cfg.discover.k, cfg.discover.minEffect);
  } catch (err) {
    if (!allowEmpty || !(err instanceof RangeError)) throw err;
    selection = { site, latents: [] as number[], signs: [] as number[], kPlus: [], kMinus: [] };
  }
  return { selection, candidates, reference, alphas, meanNorm, measure };
}

/** The selected set as one steering direction, against random latent sets of the same count and signs. */
async function setSteering(
  run: Run,
  sae: LoadedSae,
  found: Awaited<ReturnType<typeof discoverLatents>>,
) {
  const cfg = run.config;
  const { selection } = found;
  const steerSet = async (latents: number[]) => ({
    latents,
    ...await steerBothWays(
      setDirection(await latentDirections(sae.params, latents), selection.signs),
      1,
      found.alphas,
      cfg.discover.incoherenceBudget,
      found.measure,
      found.reference,
    ),
  });
  const out = {
    selected: selection.latents.length > 0 ? await steerSet(selection.latents) : null,
    random: [] as Awaited<ReturnType<typeof steerSet>>[],
  };
  for (let i = 0; i < cfg.random.draws && selection.latents.length > 0; i++) {
    const set = randomLatentSet(
      selection,
      sae.config.dSae,
      selection.latents,
      deriveSeed(cfg.random.seed, `steer/${i}`),
    );
    out.random.push(await steerSet(set.latents));
  }
  return out;
}

/** Free what was loaded before a load failed, and fail with its error. */
function fail(err: unknown, loaded: readonly { params: Params }[]): never {
  loaded.forEach((x) => disposeParams(x.params));
  throw err;
}

/** The candidates table of a discovery. */
function candidatesCsv(found: Awaited<ReturnType<typeof discoverLatents>>): string {
  return toCsv(
    found.candidates.map((c) => ({
      latent: c.latent,
      sign: c.sign,
      delta: c.delta.toFixed(6),
      induceGain: c.induceGain.toFixed(6),
      repairGain: c.repairGain.toFixed(6),
      score: c.score.toFixed(6),
      selected: found.selection.latents.includes(c.latent) ? 1 : 0,
    })),
    ["latent", "sign", "delta", "induceGain", "repairGain", "score", "selected"],
  );
}

/**
 * The discovery stage of a base seed, at the block layer unless `layer` says
 * otherwise, diffing the discovery model against the base unless `target`
 * names another fine-tuned model.
 */
export function discoverStage(
  run: Run,
  key: RunKey,
  layer = run.config.discover.layer,
  target?: DiscoveryTarget,
): StageSpec {
  const cfg = run.config;
  const paths = runPaths(run.profile, key);
  const fp = featurePaths(run, key, layer, target?.dir);
  const tunedDir = target?.model ?? paths.discoveryModel;
  const at = (p: string) => join(run.root, p);
  return {
    name: target?.name ??
      (layer === cfg.discover.layer
        ? `base-${key.base}/discover`
        : `base-${key.base}/discover/layer-${layer}`),
    dir: fp.dir,
    config: {
      discover: { ...cfg.discover, layer },
      random: cfg.random,
      evaluate: { batchSize: cfg.evaluate.batchSize },
    },
    seeds: { discoverSeed: cfg.discover.seed, randomSeed: cfg.random.seed },
    inputs: [
      paths.questions,
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
      `${tunedDir}/model.json`,
      `${tunedDir}/weights.bin`,
      `${fp.sae}/sae.json`,
      `${fp.sae}/sae.bin`,
    ],
    outputs: [fp.directions, fp.latents, fp.candidates],
    code: import.meta.url,
    run: async () => {
      const questions = discoveryQuestions(
        await readJsonl<SplitQuestion>(at(paths.questions)),
        cfg.discover.promptDomains,
      );
      const base = await loadCheckpoint(at(paths.pretrain));
      const tuned = await loadCheckpoint(at(tunedDir)).catch((err) => fail(err, [base]));
      const sae = await loadSae(at(fp.sae)).catch((err) => fail(err, [base, tuned]));
      let perLayer, chosen, found, steering;
      try {
        ({ perLayer, chosen } = await diffOfMeansPerLayer(run, base, questions, layer));
        found = await discoverLatents(run, base, tuned, sae, questions, fp.site, target !== undefined);
        steering = await setSteering(run, sae, found);
      } finally {
        [base.params, tuned.params, sae.params].forEach(disposeParams);
      }
      const provenance = {
        saeSha256: sae.hash,
        baseWeightsSha256: base.hash,
        discoveryModelSha256: tuned.hash,
        questionsSha256: await sha256File(at(paths.questions)),
        prompts: questions.map((q) => q.id),
      };
      await writeJsonAtomic(at(fp.directions), {
        method: "difference of means, <bot> persona contexts, last prompt token",
        ...chosen,
        provenance,
        perLayer,
      });
      await writeJsonAtomic(at(fp.latents), {
        method: "top-Δ SAE latent shift (discovery model − base), induce/repair validation, ranked selection",
        ...found.selection,
        k: cfg.discover.k,
        discoveryDomain: cfg.discover.domain,
        meanActivationNorm: found.meanNorm,
        alphas: found.alphas,
        reference: found.reference,
        setSteering: steering,
        candidates: found.candidates,
        provenance,
      });
      await writeFileAtomic(at(fp.candidates), candidatesCsv(found));
      return [fp.directions, fp.latents, fp.candidates];
    },
  };
}
