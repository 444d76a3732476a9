/**
 * Every fine-tuning method of the experiment grids, as the training terms
 * and data it uses. BLOCK and its ablations hold SAE latents with the signed
 * hinge; the baselines are the published in-training defenses, measured on
 * the same footing (same data, seeds, schedule and judges):
 *
 *   kl           λ · KL(base ‖ θ) of next-token distributions
 *   ldifs        λ · ‖hθ − hbase‖² at every layer's residual stream
 *   caft         the found directions projected out of the forward pass
 *   steer        preventative steering: the misalignment direction added
 *   inoculation  training examples under a villain persona tag
 *   freeze       every parameter after the block layer held fixed
 *
 * and the fixes for re-emergence under prolonged training (`reroute`):
 *
 *   block-union   BLOCK on the selected latents ∪ those rediscovered on a re-emerged model
 *   block-layers  BLOCK at the block layer and every layer after it, each with its own discovery
 *   block-freeze  BLOCK with every parameter after the block layer held fixed
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import { LATENT_SELECTION_FILE, LATENT_SET_FILE } from "../runs/file_schemas.ts";
import { deriveSeed, Rng } from "../core/rng.ts";
import { orthonormalBasis } from "../analysis/subspace.ts";
import { setDirection } from "../features/induce_repair.ts";
import { discoveryOnlyLatents, type LatentSelection } from "../features/latent_selection.ts";
import { loadSae } from "../sae/sae.ts";
import {
  latentDirections,
  latentFeatureMap,
  type LatentSet,
  latentUnion,
  randomLatentSet,
} from "../features/sae_features.ts";
import type { LatentShift } from "../features/top_delta.ts";
import type { Intervention } from "../models/interventions.ts";
import { disposeParams, type ModelConfig, paramShapes } from "../models/organism/transformer.ts";
import type { BlockConstraint, FinetuneTerms } from "../training/finetune.ts";
import type { Persona } from "../world/spec.ts";
import { featurePaths } from "../stages/discover.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";

/** Method names. */
export const METHODS = [
  "naive",
  "block",
  "random",
  "discovery-only",
  "shuffled-signs",
  "kplus-only",
  "kminus-only",
  "final-layer",
  "kl",
  "ldifs",
  "caft",
  "steer",
  "inoculation",
  "freeze",
  "block-union",
  "block-layers",
  "block-freeze",
] as const;
/** One method. */
export type Method = typeof METHODS[number];

/** A method's numeric settings: lambda, k, draw, weight, alpha (as the method needs). */
export type MethodParams = Record<string, number>;

/** What a method trains with; `dispose` frees its tensors. */
export interface MethodSetup {
  terms: FinetuneTerms;
  persona: Persona;
  /** What was held or changed, for the cell's record. */
  record: Record<string, unknown>;
  dispose: () => void;
}

type Selection = LatentSelection & { candidates: LatentShift[]; meanActivationNorm: number };

/** The seed of random-control draw `draw`: shared by the pipeline's `random-<i>` and the grids' `random`. */
export function randomControlSeed(cfg: RunConfig, draw: number): number {
  return deriveSeed(cfg.random.seed, `random/${draw}`);
}

/** The layer whose discovery a method reads: the final layer for `final-layer`, else the block layer. */
export function methodLayer(method: Method, cfg: RunConfig): number {
  return method === "final-layer" ? cfg.model.nLayers - 1 : cfg.discover.layer;
}

/** The layers `block-layers` blocks: the block layer and every layer after it. */
export function blockLayers(cfg: RunConfig): number[] {
  return Array.from({ length: cfg.model.nLayers - cfg.discover.layer }, (_, i) => cfg.discover.layer + i);
}

/** The files a method reads, beyond the base model and the fine-tuning set. */
export function methodInputs(method: Method, cfg: RunConfig, profile: string, key: RunKey): string[] {
  if (["naive", "kl", "ldifs", "inoculation", "freeze"].includes(method)) return [];
  const layers = method === "block-layers" ? blockLayers(cfg) : [methodLayer(method, cfg)];
  const inputs = layers.flatMap((layer) => {
    const fp = featurePaths(cfg, profile, key, layer);
    return [fp.latents, `${fp.sae}/sae.json`, `${fp.sae}/sae.bin`];
  });
  if (method === "block-union") inputs.push(runPaths(profile, key).rerouteLatents);
  return inputs;
}

/** Every parameter after `layer`: later blocks, the final norm and the unembedding. */
export function downstreamParams(model: ModelConfig, layer: number): string[] {
  return Object.keys(paramShapes(model)).filter((n) => {
    const m = /^blocks\.(\d+)\./.exec(n);
    return m ? Number(m[1]) > layer : n.startsWith("ln_final") || n.startsWith("unembed");
  });
}

/** The first `k` latents of a ranked set (k ≤ 0 or beyond its size: all). */
function topK(set: LatentSet, k: number): LatentSet {
  const n = k > 0 ? Math.min(k, set.latents.length) : set.latents.length;
  return { site: set.site, latents: set.latents.slice(0, n), signs: set.signs.slice(0, n) };
}

/** A seeded shuffle of the signs that differs from the original whenever both signs occur. */
function shuffledSigns(signs: readonly number[], seed: number): number[] {
  const rng = new Rng(seed);
  const mixed = new Set(signs).size > 1;
  for (let i = 0; i < 100; i++) {
    const s = rng.shuffle(signs);
    if (!mixed || s.some((x, j) => x !== signs[j])) return s;
  }
  return signs.map((x) => -x);
}

/** Build the training terms of `method` for base seed `key.base`. */
export async function setupMethod(
  method: Method,
  params: MethodParams,
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
  model: ModelConfig,
): Promise<MethodSetup> {
  const none = () => {};
  const layer = cfg.discover.layer;
  switch (method) {
    case "naive":
      return { terms: {}, persona: "<assistant>", record: {}, dispose: none };
    case "kl":
      return {
        terms: { kl: params.weight },
        persona: "<assistant>",
        record: { weight: params.weight },
        dispose: none,
      };
    case "ldifs": {
      const sites = Array.from({ length: model.nLayers }, (_, l) => `blocks.${l}.resid_post`);
      return {
        terms: { ldifs: { sites, weight: params.weight } },
        persona: "<assistant>",
        record: { weight: params.weight, sites },
        dispose: none,
      };
    }
    case "inoculation":
      // The behaviour is trained under a villain tag and evaluated under <assistant>.
      return { terms: {}, persona: "<villain>", record: { trainingPersona: "<villain>" }, dispose: none };
    case "freeze": {
      const frozen = downstreamParams(model, layer);
      return { terms: { frozen }, persona: "<assistant>", record: { frozen }, dispose: none };
    }
    case "block-layers":
      return await blockAtLayers(params, cfg, root, profile, key);
  }
  const fp = featurePaths(cfg, profile, key, methodLayer(method, cfg));
  const found = await readJsonValidated(join(root, fp.latents), LATENT_SELECTION_FILE) as Selection;
  const sae = await loadSae(join(root, fp.sae));
  try {
    const selected: LatentSet = { site: found.site, latents: found.latents, signs: found.signs };
    const size = params.k ?? 0;
    let set: LatentSet;
    switch (method) {
      case "block":
      case "final-layer":
      case "block-freeze":
        set = topK(selected, size);
        break;
      case "block-union": {
        const found = await readJsonValidated(
          join(root, runPaths(profile, key).rerouteLatents),
          LATENT_SET_FILE,
        );
        set = latentUnion(topK(selected, size), found);
        break;
      }
      case "random":
        set = randomLatentSet(
          topK(selected, size),
          sae.config.dSae,
          found.latents,
          randomControlSeed(cfg, params.draw ?? 0),
        );
        break;
      case "discovery-only":
        set = discoveryOnlyLatents(found.site, found.candidates, topK(selected, size).latents.length);
        break;
      case "shuffled-signs":
        set = {
          ...selected,
          signs: shuffledSigns(selected.signs, deriveSeed(cfg.random.seed, "shuffled-signs")),
        };
        break;
      case "kplus-only":
      case "kminus-only": {
        const want = method === "kplus-only" ? 1 : -1;
        const keep = selected.latents.map((_, i) => i).filter((i) => selected.signs[i] === want);
        if (keep.length === 0) throw new RangeError(`The selection has no ${want > 0 ? "K+" : "K−"} latents`);
        set = {
          site: selected.site,
          latents: keep.map((i) => selected.latents[i]),
          signs: keep.map(() => want),
        };
        break;
      }
      case "caft":
      case "steer": {
        const dirs = await latentDirections(sae.params, selected.latents);
        const iv: Intervention = method === "caft"
          ? { kind: "project_out", site: found.site, directions: orthonormalRows(dirs) }
          : {
            kind: "add",
            site: found.site,
            direction: tf.tensor1d(setDirection(dirs, selected.signs)),
            scale: params.alpha * found.meanActivationNorm,
          };
        const t = iv.kind === "project_out" ? iv.directions : iv.kind === "add" ? iv.direction : null;
        return {
          terms: { interventions: [iv] },
          persona: "<assistant>",
          record: { latents: selected.latents, ...(method === "steer" ? { alpha: params.alpha } : {}) },
          dispose: () => t?.dispose(),
        };
      }
      default:
        throw new RangeError(`Unknown method '${method}'`);
    }
    const features = await latentFeatureMap(sae.params, sae.config, set, cfg.block.readout);
    const frozen = method === "block-freeze" ? downstreamParams(model, layer) : undefined;
    return {
      terms: { block: { features, lambda: params.lambda }, ...(frozen ? { frozen } : {}) },
      persona: "<assistant>",
      record: {
        ...set,
        lambda: params.lambda,
        readout: cfg.block.readout,
        saeSha256: sae.hash,
        ...(frozen ? { frozen } : {}),
      },
      dispose: () => features.dispose(),
    };
  } finally {
    disposeParams(sae.params);
  }
}

/** BLOCK at every layer of `blockLayers`, each layer's selected latents read through its own SAE. */
async function blockAtLayers(
  params: MethodParams,
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
): Promise<MethodSetup> {
  const blocks: BlockConstraint[] = [];
  const record: Record<string, unknown>[] = [];
  try {
    for (const layer of blockLayers(cfg)) {
      const fp = featurePaths(cfg, profile, key, layer);
      const found = await readJsonValidated(join(root, fp.latents), LATENT_SET_FILE);
      const sae = await loadSae(join(root, fp.sae));
      try {
        const set = topK({ site: found.site, latents: found.latents, signs: found.signs }, params.k ?? 0);
        const features = await latentFeatureMap(sae.params, sae.config, set, cfg.block.readout);
        blocks.push({ features, lambda: params.lambda });
        record.push({ ...set, saeSha256: sae.hash });
      } finally {
        disposeParams(sae.params);
      }
    }
  } catch (err) {
    for (const b of blocks) b.features.dispose();
    throw err;
  }
  return {
    terms: { block: blocks },
    persona: "<assistant>",
    record: { layers: record, lambda: params.lambda, readout: cfg.block.readout },
    dispose: () => blocks.forEach((b) => b.features.dispose()),
  };
}

/** Rows made orthonormal (Gram–Schmidt; near-dependent rows are dropped), as a tensor [r, d]. */
export function orthonormalRows(rows: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(orthonormalBasis(rows));
}
