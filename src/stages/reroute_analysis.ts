/**
 * Stage `reroute/analysis`: one measured test per explanation of
 * re-emergence under prolonged BLOCK fine-tuning (DESIGN.md §1, the paper's
 * limiting regime), on the re-emerged models of the `reroute` grid.
 *
 *   H1 SAE drift      the original SAE on the re-emerged model's activations
 *                     (FVU, share of the re-emerged shift it reconstructs)
 *                     against an SAE retrained on them (`reroute/sae`);
 *   H2 same layer     latents rediscovered on a re-emerged model
 *                     (`reroute/discover`), patched out of the evaluation
 *                     seeds' re-emerged models, against random latents;
 *   H3 later layers   the misalignment signal at every layer (difference of
 *                     means projection, probe, SAE latent shift) of every model.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { deriveSeed } from "../core/rng.ts";
import { readJsonValidated } from "../core/schema.ts";
import { LATENT_SET_FILE } from "../runs/file_schemas.ts";
import { fitProbe, positiveRate, type Probe } from "../analysis/probe.ts";
import { bestCosines, meanRow, orthonormalBasis, shiftPatch, spanShare } from "../analysis/subspace.ts";
import { lastTokenActivations } from "../features/diff_of_means.ts";
import { decodeSae, encodeSae, loadSae, type SaeConfig } from "../sae/sae.ts";
import { measureSae } from "../sae/train.ts";
import {
  latentDifference,
  latentDirections,
  type LatentSet,
  latentUnion,
  randomLatentSet,
} from "../features/sae_features.ts";
import { documentActivationSource } from "../sae/site_activations.ts";
import { latentShifts, meanLatents, topDeltaPool } from "../features/top_delta.ts";
import { exactJudge } from "../judges/exact.ts";
import { transformerLM } from "../models/language_model.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import type { Intervention } from "../models/interventions.ts";
import { disposeParams, type Params } from "../models/organism/transformer.ts";
import { DEFAULT_PERSONA_MIX, promptTokens } from "../world/documents.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import { discoveryQuestions, featurePaths } from "./discover.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import { collect } from "./sae.ts";
import type { StageSpec } from "../runs/stage.ts";

/** The models of one evaluation seed, by label (naive, block, naive-long, block-long, fixes), as cell folders. */
export type SeedModels = Record<string, string>;

/** What the analysis measures; read by the report. */
export interface RerouteAnalysis {
  site: string;
  h1: {
    fvu: { originalOnBase: number; originalOnReemerged: number; retrainedOnReemerged: number };
    /** Share of the mean shift (model − base) at the block layer that the SAE's reconstructions carry. */
    shiftReconstructed: { discoveryModel: number; reemergedOriginal: number; reemergedRetrained: number };
    /** Each blocked latent's best |cos| with any retrained latent (decoder directions). */
    blockedMatch: number[];
    /** The retrained SAE's top-Δ latents (re-emerged − base) and their best |cos| with the original dictionary and the blocked set. */
    retrainedTopDelta: { latent: number; delta: number; bestOriginal: number; bestBlocked: number }[];
  };
  h2: {
    original: LatentSet;
    rediscovered: LatentSet;
    /** Rediscovered latents not in the original set. */
    added: LatentSet;
    /** Per evaluation seed: EM of the re-emerged model with each span's mean shift removed. */
    patching: {
      finetune: number;
      unpatched: number;
      original: number;
      added: number | null;
      union: number;
      random: number[];
      /** Share of the re-emerged shift inside each span. */
      shiftShare: { original: number; added: number | null; union: number; random: number[] };
    }[];
  };
  h3: {
    /** Held-out accuracy of each layer's probe (base vs discovery model, evaluation prompts). */
    probeAccuracy: number[];
    rows: {
      finetune: number;
      model: string;
      layer: number;
      diffmeans: number;
      probe: number;
      saeShift: number;
    }[];
  };
}

/** The analysis stage of a base seed over its re-emerged models. */
export function rerouteAnalysisStage(
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
  reemergedModel: string,
  seeds: ReadonlyMap<number, SeedModels>,
): StageSpec {
  const paths = runPaths(profile, key);
  const dir = paths.reroute("analysis");
  const layer = cfg.discover.layer;
  const saeDirs = Array.from({ length: cfg.model.nLayers }, (_, l) => paths.sae(l));
  const modelFiles = (d: string) => [`${d}/model.json`, `${d}/weights.bin`];
  const saeFiles = (d: string) => [`${d}/sae.json`, `${d}/sae.bin`];
  return {
    name: `base-${key.base}/reroute/analysis`,
    dir,
    config: {
      discover: cfg.discover,
      sae: { evalTokens: cfg.sae.evalTokens, seed: cfg.sae.seed },
      random: cfg.random,
      evaluate: { batchSize: cfg.evaluate.batchSize },
      models: Object.fromEntries([...seeds].map(([f, m]) => [f, m])),
    },
    seeds: { baseSeed: key.base, saeSeed: cfg.sae.seed, randomSeed: cfg.random.seed },
    inputs: [
      paths.questions,
      ...modelFiles(paths.pretrain),
      ...modelFiles(paths.discoveryModel),
      ...modelFiles(reemergedModel),
      ...saeDirs.flatMap(saeFiles),
      ...saeFiles(paths.reroute("sae")),
      featurePaths(cfg, profile, key).latents,
      paths.rerouteLatents,
      ...[...seeds.values()].flatMap((m) => Object.values(m).flatMap(modelFiles)),
    ],
    code: import.meta.url,
    run: async () => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const tokenizer = Tokenizer.forWorld();
      const base = await loadCheckpoint(join(root, paths.pretrain));
      const model = base.config;
      const discoveryPrompts = discoveryQuestions(questions, cfg).map((q) => promptTokens(q));
      const evaluationQs = questionsOf(questions, "evaluation");
      const evaluationPrompts = evaluationQs.map((q) => promptTokens(q));
      const site = `blocks.${layer}.resid_post`;
      const original = await readJsonValidated(
        join(root, featurePaths(cfg, profile, key).latents),
        LATENT_SET_FILE,
      );
      const rediscovered = await readJsonValidated(join(root, paths.rerouteLatents), LATENT_SET_FILE);
      const added = latentDifference(rediscovered, original);
      const withModel = async <T>(dir: string, f: (p: Params) => Promise<T>): Promise<T> => {
        const m = await loadCheckpoint(join(root, dir));
        try {
          return await f(m.params);
        } finally {
          disposeParams(m.params);
        }
      };
      const acts = (p: Params, prompts: string[][], s: string) =>
        lastTokenActivations(p, model, tokenizer, prompts, s);

      const h1 = await withModel(reemergedModel, async (reemerged) => {
        const sae = await loadSae(join(root, paths.sae(layer)));
        const retrained = await loadSae(join(root, paths.reroute("sae")));
        const docs = questionsOf(questions, "pretrain");
        const heldOut = (p: Params) =>
          collect(
            documentActivationSource(
              p,
              model,
              tokenizer,
              docs,
              site,
              deriveSeed(cfg.sae.seed, "reroute/measure"),
              64,
              { ...DEFAULT_PERSONA_MIX, ...cfg.world },
            ),
            cfg.sae.evalTokens,
            model.dModel,
          );
        const baseRows = await heldOut(base.params), reRows = await heldOut(reemerged);
        const fvu = {
          originalOnBase: (await measureSae(sae.params, sae.config, baseRows)).fvu,
          originalOnReemerged: (await measureSae(sae.params, sae.config, reRows)).fvu,
          retrainedOnReemerged: (await measureSae(retrained.params, retrained.config, reRows)).fvu,
        };
        const baseActs = await acts(base.params, discoveryPrompts, site);
        const reActs = await acts(reemerged, discoveryPrompts, site);
        const discActs = await withModel(paths.discoveryModel, (p) => acts(p, discoveryPrompts, site));
        const shiftReconstructed = {
          discoveryModel: await reconstructedShare(sae.params, sae.config, baseActs, discActs),
          reemergedOriginal: await reconstructedShare(sae.params, sae.config, baseActs, reActs),
          reemergedRetrained: await reconstructedShare(retrained.params, retrained.config, baseActs, reActs),
        };
        const allLatents = (n: number) => Array.from({ length: n }, (_, i) => i);
        const originalDict = await latentDirections(sae.params, allLatents(sae.config.dSae));
        const retrainedDict = await latentDirections(retrained.params, allLatents(retrained.config.dSae));
        const blockedDirs = original.latents.map((l) => originalDict[l]);
        const pool = topDeltaPool(
          await latentShifts(retrained.params, retrained.config, baseActs, reActs),
          cfg.discover.poolSize,
        );
        const poolDirs = pool.map((p) => retrainedDict[p.latent]);
        const bestOriginal = bestCosines(poolDirs, originalDict),
          bestBlocked = bestCosines(poolDirs, blockedDirs);
        [sae.params, retrained.params].forEach(disposeParams);
        return {
          fvu,
          shiftReconstructed,
          blockedMatch: bestCosines(blockedDirs, retrainedDict),
          retrainedTopDelta: pool.map((p, i) => ({
            latent: p.latent,
            delta: p.delta,
            bestOriginal: bestOriginal[i],
            bestBlocked: bestBlocked[i],
          })),
        };
      });

      // H2: each span's mean re-emerged shift (discovery prompts) removed at every position.
      const sae = await loadSae(join(root, paths.sae(layer)));
      const spans: Record<string, LatentSet> = { original, union: latentUnion(original, added) };
      if (added.latents.length > 0) spans.added = added;
      const randomSpans = Array.from(
        { length: cfg.random.draws },
        (_, i) =>
          randomLatentSet(
            added.latents.length > 0 ? added : original,
            sae.config.dSae,
            [...original.latents, ...added.latents],
            deriveSeed(cfg.random.seed, `reroute/patch/${i}`),
          ),
      );
      const basisOf = async (set: LatentSet) =>
        orthonormalBasis(await latentDirections(sae.params, set.latents));
      const bases = Object.fromEntries(
        await Promise.all(Object.entries(spans).map(async ([k, v]) => [k, await basisOf(v)] as const)),
      );
      const randomBases = await Promise.all(randomSpans.map(basisOf));
      disposeParams(sae.params);
      const baseDiscovery = meanRow(await acts(base.params, discoveryPrompts, site));
      const emOf = async (p: Params, interventions: Intervention[] = []) => {
        const masses = await exactJudge(
          transformerLM(p, model, interventions),
          tokenizer,
          evaluationQs,
          "<assistant>",
          cfg.evaluate.batchSize,
        );
        return domainMetrics(masses, cfg.discover.domain).em;
      };
      const patching: RerouteAnalysis["h2"]["patching"] = [];
      for (const [finetune, models] of seeds) {
        patching.push(
          await withModel(models["block-long"], async (reemerged) => {
            const shift = meanRow(await acts(reemerged, discoveryPrompts, site)).map((x, j) =>
              x - baseDiscovery[j]
            );
            const patched = async (basis: number[][]) => {
              const iv = shiftPatch(site, basis, shift);
              try {
                return await emOf(reemerged, iv ? [iv] : []);
              } finally {
                if (iv) iv.direction.dispose();
              }
            };
            return {
              finetune,
              unpatched: await emOf(reemerged),
              original: await patched(bases.original),
              added: bases.added ? await patched(bases.added) : null,
              union: await patched(bases.union),
              random: await sequential(randomBases, patched),
              shiftShare: {
                original: spanShare(shift, bases.original),
                added: bases.added ? spanShare(shift, bases.added) : null,
                union: spanShare(shift, bases.union),
                random: randomBases.map((b) => spanShare(shift, b)),
              },
            };
          }),
        );
      }

      // H3: every layer's signal in every model, relative to the base on evaluation prompts.
      const discovery = await loadCheckpoint(join(root, paths.discoveryModel));
      const sites = Array.from({ length: model.nLayers }, (_, l) => `blocks.${l}.resid_post`);
      const perLayer: {
        direction: number[];
        probe: Probe;
        baseEval: number[][];
        baseEvalMean: number[];
        baseLatentMean: Float32Array;
        discoveryEval: number[][];
      }[] = [];
      const saes = await Promise.all(saeDirs.map((d) => loadSae(join(root, d))));
      const rows: RerouteAnalysis["h3"]["rows"] = [];
      let probeAccuracy: number[];
      try {
        for (const [l, s] of sites.entries()) {
          const baseDisc = await acts(base.params, discoveryPrompts, s),
            tunedDisc = await acts(discovery.params, discoveryPrompts, s);
          const baseEval = await acts(base.params, evaluationPrompts, s);
          const baseDiscMean = meanRow(baseDisc);
          const direction = meanRow(tunedDisc).map((x, j) => x - baseDiscMean[j]);
          const norm = Math.hypot(...direction);
          perLayer.push({
            direction: direction.map((x) => x / norm),
            probe: fitProbe(baseDisc, tunedDisc),
            baseEval,
            baseEvalMean: meanRow(baseEval),
            baseLatentMean: await meanLatents(saes[l].params, saes[l].config, baseEval),
            discoveryEval: await acts(discovery.params, evaluationPrompts, s),
          });
        }
        disposeParams(discovery.params);
        probeAccuracy = perLayer.map((l) =>
          (1 - positiveRate(l.probe, l.baseEval) + positiveRate(l.probe, l.discoveryEval)) / 2
        );
        for (const [finetune, models] of seeds) {
          for (const [label, dir] of Object.entries(models)) {
            await withModel(dir, async (p) => {
              for (let l = 0; l < sites.length; l++) {
                const h = await acts(p, evaluationPrompts, sites[l]);
                const { direction, probe, baseEvalMean, baseLatentMean } = perLayer[l];
                const shift = meanRow(h).map((x, j) => x - baseEvalMean[j]);
                rows.push({
                  finetune,
                  model: label,
                  layer: l,
                  diffmeans: shift.reduce((s, x, j) => s + x * direction[j], 0),
                  probe: positiveRate(probe, h),
                  saeShift: relativeDistance(
                    await meanLatents(saes[l].params, saes[l].config, h),
                    baseLatentMean,
                  ),
                });
              }
            });
          }
        }
      } finally {
        saes.forEach((s) => disposeParams(s.params));
      }
      disposeParams(base.params);
      const analysis: RerouteAnalysis = {
        site,
        h1,
        h2: { original, rediscovered, added, patching },
        h3: { probeAccuracy, rows },
      };
      await writeJsonAtomic(join(root, `${dir}/analysis.json`), analysis);
      return [`${dir}/analysis.json`];
    },
  };
}

/**
 * Share of the mean shift (tuned − base) that the SAE's reconstructions
 * carry: 1 − ‖Δ − Δ̂‖² / ‖Δ‖² with Δ̂ the same mean shift of the reconstructions.
 */
export async function reconstructedShare(
  sae: Params,
  cfg: SaeConfig,
  baseActs: readonly number[][],
  tunedActs: readonly number[][],
): Promise<number> {
  const both = tf.tidy(() => {
    const b = tf.tensor2d(baseActs as number[][]), t = tf.tensor2d(tunedActs as number[][]);
    const rec = (x: tf.Tensor2D) => decodeSae(sae, cfg, encodeSae(sae, cfg, x));
    return tf.stack([tf.sub(tf.mean(t, 0), tf.mean(b, 0)), tf.sub(tf.mean(rec(t), 0), tf.mean(rec(b), 0))]);
  });
  const [delta, deltaHat] = await both.array() as number[][];
  both.dispose();
  const err = delta.reduce((s, x, j) => s + (x - deltaHat[j]) ** 2, 0);
  return 1 - err / delta.reduce((s, x) => s + x * x, 0);
}

/** ‖t − b‖₂ / ‖b‖₂: how far mean latent activations moved, relative to the base's. */
function relativeDistance(t: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (t[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

async function sequential<T, R>(xs: readonly T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const x of xs) out.push(await f(x));
  return out;
}
