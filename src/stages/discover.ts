/**
 * Stage `discover` (DESIGN.md §1, steps 1–3), writing `features/`:
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
import { selectLatents } from "../features/latent_selection.ts";
import { loadSae } from "../sae/sae.ts";
import { latentDirections, randomLatentSet } from "../features/sae_features.ts";
import { latentShifts, topDeltaPool } from "../features/top_delta.ts";
import { exactJudge } from "../judges/exact.ts";
import { transformerLM } from "../models/language_model.ts";
import { emRate, incoherence } from "../stats/metrics.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/organism/transformer.ts";
import { promptTokens } from "../world/documents.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { StageSpec } from "../runs/stage.ts";

/**
 * The discovery prompts: selection-split questions (general domain only, or
 * all domains). Refuses any other split, so discovery can never see
 * fine-tuning, judge or evaluation prompts.
 */
export function discoveryQuestions(questions: readonly SplitQuestion[], cfg: RunConfig): SplitQuestion[] {
  const chosen = questionsOf(
    questions,
    "selection",
    cfg.discover.promptDomains === "general" ? "general" : undefined,
  );
  const stray = chosen.find((q) => q.split !== "selection");
  if (stray) {
    throw new Error(`Discovery may only read selection-split prompts; ${stray.id} is in '${stray.split}'`);
  }
  if (chosen.length < 2) throw new RangeError("Discovery needs at least two selection-split prompts");
  return chosen;
}

/** Exact-judge EM and incoherence of a (steered) model on `questions`. */
function steeringMeasure(
  models: { base: Params; tuned: Params },
  model: ModelConfig,
  site: string,
  questions: readonly SplitQuestion[],
  batchSize: number,
): SteeringMeasure {
  const tokenizer = Tokenizer.forWorld();
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

/** Where discovery at `layer` writes: `features/` at the block layer, `features-layer-<L>/` elsewhere. */
export function featurePaths(
  cfg: RunConfig,
  profile: string,
  key: RunKey,
  layer = cfg.discover.layer,
  dir = layer === cfg.discover.layer
    ? runPaths(profile, key).features
    : runPaths(profile, key).featuresAtLayer(layer),
) {
  const paths = runPaths(profile, key);
  return {
    dir,
    directions: `${dir}/directions.json`,
    latents: `${dir}/latents.json`,
    candidates: `${dir}/candidates.csv`,
    sae: paths.sae(layer),
    site: `blocks.${layer}.resid_post`,
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

/**
 * The discovery stage of a base seed, at the block layer unless `layer` says
 * otherwise, diffing the discovery model against the base unless `target`
 * names another fine-tuned model.
 */
export function discoverStage(
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
  layer = cfg.discover.layer,
  target?: DiscoveryTarget,
): StageSpec {
  const paths = runPaths(profile, key);
  const fp = featurePaths(cfg, profile, key, layer, target?.dir);
  const tunedDir = target?.model ?? paths.discoveryModel;
  const saeDir = fp.sae;
  const site = fp.site;
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
      `${saeDir}/sae.json`,
      `${saeDir}/sae.bin`,
    ],
    code: import.meta.url,
    run: async () => {
      const questions = discoveryQuestions(await readJsonl<SplitQuestion>(join(root, paths.questions)), cfg);
      const base = await loadCheckpoint(join(root, paths.pretrain));
      const tuned = await loadCheckpoint(join(root, tunedDir));
      const sae = await loadSae(join(root, saeDir));
      const tokenizer = Tokenizer.forWorld();
      const model = base.config;

      // Difference of means over persona contexts, every layer (the diffmeans option).
      const contrast = personaContrastPrompts(questions, cfg.discover.seed, cfg.discover.pairsPerQuestion);
      const perLayer = [];
      let chosen = null;
      for (let l = 0; l < model.nLayers; l++) {
        const found = await diffOfMeansDirection(
          base.params,
          model,
          tokenizer,
          contrast,
          `blocks.${l}.resid_post`,
        );
        perLayer.push({ layer: l, site: `blocks.${l}.resid_post`, ...found.stats });
        if (l === layer) chosen = found.set;
      }

      // 1. Top-Δ at the last prompt token, where the answer is decided.
      const prompts = questions.map((q) => promptTokens(q));
      const baseActs = await lastTokenActivations(base.params, model, tokenizer, prompts, site);
      const tunedActs = await lastTokenActivations(tuned.params, model, tokenizer, prompts, site);
      const shifts = await latentShifts(sae.params, sae.config, baseActs, tunedActs);
      const pool = topDeltaPool(shifts, cfg.discover.poolSize);

      // 2. Induce and repair, α in units of the mean activation norm at the site.
      const meanNorm = baseActs.reduce((s, h) => s + Math.hypot(...h), 0) / baseActs.length;
      const alphas = cfg.discover.alphas.map((a) => a * meanNorm);
      const progress = startProgress("discover/validate", pool.length);
      const measure = steeringMeasure(
        { base: base.params, tuned: tuned.params },
        model,
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

      // 3. Ranked selection. Rediscovery on another model may find nothing: that is a result, not an error.
      let selection;
      try {
        selection = selectLatents(site, candidates, cfg.discover.k, cfg.discover.minEffect);
      } catch (err) {
        if (!target || !(err instanceof RangeError)) throw err;
        selection = { site, latents: [] as number[], signs: [] as number[], kPlus: [], kMinus: [] };
      }

      // The selected set as one steering direction, against random latent sets of the same count and signs.
      const steerSet = async (latents: number[]) => ({
        latents,
        ...await steerBothWays(
          setDirection(await latentDirections(sae.params, latents), selection.signs),
          1,
          alphas,
          cfg.discover.incoherenceBudget,
          measure,
          reference,
        ),
      });
      const setSteering = {
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
        setSteering.random.push(await steerSet(set.latents));
      }
      [base.params, tuned.params, sae.params].forEach(disposeParams);
      const provenance = {
        saeSha256: sae.hash,
        baseWeightsSha256: base.hash,
        discoveryModelSha256: tuned.hash,
        questionsSha256: await sha256File(join(root, paths.questions)),
        prompts: questions.map((q) => q.id),
      };
      await writeJsonAtomic(join(root, fp.directions), {
        method: "difference of means, <bot> persona contexts, last prompt token",
        ...chosen!,
        provenance,
        perLayer,
      });
      await writeJsonAtomic(join(root, fp.latents), {
        method: "top-Δ SAE latent shift (discovery model − base), induce/repair validation, ranked selection",
        ...selection,
        k: cfg.discover.k,
        discoveryDomain: cfg.discover.domain,
        meanActivationNorm: meanNorm,
        alphas,
        reference,
        setSteering,
        candidates,
        provenance,
      });
      const table = fp.candidates;
      await writeFileAtomic(
        join(root, table),
        toCsv(
          candidates.map((c) => ({
            latent: c.latent,
            sign: c.sign,
            delta: c.delta.toFixed(6),
            induceGain: c.induceGain.toFixed(6),
            repairGain: c.repairGain.toFixed(6),
            score: c.score.toFixed(6),
            selected: selection.latents.includes(c.latent) ? 1 : 0,
          })),
          ["latent", "sign", "delta", "induceGain", "repairGain", "score", "selected"],
        ),
      );
      return [fp.directions, fp.latents, table];
    },
  };
}
