/**
 * Selected SAE latents as a feature map: z_k = relu(pre_k) for the chosen
 * latents k. The TopK mask is left out on purpose: the penalty then has a
 * gradient whenever a latent's encoder response moves, not only on the
 * tokens where it happens to be among the top k.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { linear } from "../models/linear.ts";
import type { Params } from "../models/model.ts";
import { DirectionFeatures, type FeatureMap } from "./feature_map.ts";
import { type SaeConfig, unitDecoder } from "../sae/sae.ts";

/** A named set of SAE latents with signs: what a blocked fine-tune holds. */
export interface LatentSet {
  site: string;
  latents: number[];
  /** +1 (K+, rose under EM) or −1 (K−, fell). */
  signs: number[];
}

/** Feature strengths of chosen SAE latents. */
export class SaeLatentFeatures implements FeatureMap {
  readonly site: string;
  readonly signs: readonly number[];
  readonly #w: tf.Tensor2D;
  readonly #b: tf.Tensor1D;
  readonly #bDec: tf.Tensor1D;
  readonly #scale: number;

  constructor(sae: Params, cfg: SaeConfig, set: LatentSet) {
    if (set.latents.length === 0 || set.latents.length !== set.signs.length) {
      throw new RangeError("A latent set needs one sign per latent and at least one latent");
    }
    if (set.site !== cfg.site) {
      throw new RangeError(`Latent set is for ${set.site}, the SAE reads ${cfg.site}`);
    }
    if (set.latents.some((l) => !Number.isInteger(l) || l < 0 || l >= cfg.dSae)) {
      throw new RangeError(`Latent indices must be in 0..${cfg.dSae - 1}`);
    }
    if (set.signs.some((s) => s !== 1 && s !== -1)) throw new RangeError("Signs must be +1 or -1");
    this.site = set.site;
    this.signs = set.signs;
    this.#scale = cfg.inputScale;
    const idx = tf.tensor1d(set.latents, "int32");
    this.#w = tf.gather(sae.W_enc, idx, 1) as tf.Tensor2D;
    this.#b = tf.gather(sae.b_enc, idx) as tf.Tensor1D;
    this.#bDec = tf.clone(sae.b_dec) as tf.Tensor1D;
    idx.dispose();
  }

  encode(h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() =>
      tf.relu(tf.add(linear(tf.sub(tf.mul(h, this.#scale), this.#bDec) as tf.Tensor2D, this.#w), this.#b))
    );
  }

  dispose(): void {
    tf.dispose([this.#w, this.#b, this.#bDec]);
  }
}

/**
 * The feature map a blocked fine-tune holds for `set`: the latents'
 * encoder activations ("encoder", the paper's z) or the projections on
 * their unit decoder directions ("decoder"). The SAE may be disposed after.
 */
export async function latentFeatureMap(
  sae: Params,
  cfg: SaeConfig,
  set: LatentSet,
  readout: string,
): Promise<FeatureMap> {
  if (readout === "encoder") return new SaeLatentFeatures(sae, cfg, set);
  if (readout !== "decoder") throw new RangeError(`Unknown readout '${readout}' (encoder, decoder)`);
  const directions = await latentDirections(sae, set.latents);
  return new DirectionFeatures({ site: set.site, directions, signs: set.signs });
}

/** Unit decoder directions (model space) of `latents`. */
export async function latentDirections(sae: Params, latents: readonly number[]): Promise<number[][]> {
  const dec = tf.tidy(() => tf.gather(unitDecoder(sae), tf.tensor1d(latents as number[], "int32")));
  const out = await dec.array() as number[][];
  dec.dispose();
  return out;
}

/** `set`'s latents that `minus` lacks, each with its sign. */
export function latentDifference(set: LatentSet, minus: LatentSet): LatentSet {
  const keep = set.latents.map((_, i) => i).filter((i) => !minus.latents.includes(set.latents[i]));
  return { site: set.site, latents: keep.map((i) => set.latents[i]), signs: keep.map((i) => set.signs[i]) };
}

/** `a` followed by the latents of `b` that `a` lacks, each with its own sign. */
export function latentUnion(a: LatentSet, b: LatentSet): LatentSet {
  if (a.site !== b.site) throw new RangeError(`Cannot join latents of ${a.site} and ${b.site}`);
  const extra = latentDifference(b, a);
  return { site: a.site, latents: [...a.latents, ...extra.latents], signs: [...a.signs, ...extra.signs] };
}

/**
 * The random-latent control: `like.latents.length` latents drawn (seeded,
 * without replacement) from those not in `exclude`, with `like`'s signs.
 */
export function randomLatentSet(
  like: LatentSet,
  dSae: number,
  exclude: readonly number[],
  seed: number,
): LatentSet {
  const banned = new Set(exclude);
  const pool = Array.from({ length: dSae }, (_, i) => i).filter((i) => !banned.has(i));
  if (pool.length < like.latents.length) throw new RangeError("Not enough latents for a random control");
  const picked = new Rng(seed).shuffle(pool).slice(0, like.latents.length);
  return { site: like.site, latents: picked, signs: [...like.signs] };
}
