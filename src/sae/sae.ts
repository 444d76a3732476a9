/**
 * A TopK sparse autoencoder on one activation site, in the manner of
 * SAELens: config + encode/decode + a loss that returns its parts.
 *
 *   pre = (s·x − b_dec) W_enc + b_enc       z = TopK(relu(pre))
 *   x̂  = (z Ŵ_dec + b_dec) / s
 *
 * s scales activations so that E‖s·x‖² = dIn (learning rates then do not
 * depend on the site's norm). Ŵ_dec has unit-norm rows by construction: the
 * raw decoder is normalised inside every forward pass, so each latent's
 * decoder direction is a unit vector in the model's residual space.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { linear } from "../models/linear.ts";
import { type BundleLayout, loadBundle, saveBundle } from "../models/checkpoint.ts";
import type { Params } from "../models/model.ts";

/** Architecture of an SAE. */
export interface SaeConfig {
  /** Site the SAE reads, e.g. `blocks.1.resid_post`. */
  site: string;
  dIn: number;
  dSae: number;
  /** Latents kept per token (TopK). */
  k: number;
  /** s: activations are multiplied by this before encoding. */
  inputScale: number;
}

/** Throws on an inconsistent config. */
export function validateSaeConfig(cfg: SaeConfig): void {
  const whole = (x: number) => Number.isInteger(x) && x > 0;
  if (typeof cfg.site !== "string" || !cfg.site) throw new TypeError("SAE config needs a site name");
  if (!whole(cfg.dIn) || !whole(cfg.dSae) || !whole(cfg.k)) {
    throw new RangeError("SAE dIn, dSae and k must be positive whole numbers");
  }
  if (cfg.k >= cfg.dSae) throw new RangeError(`SAE k (${cfg.k}) must be below dSae (${cfg.dSae})`);
  if (!(cfg.inputScale > 0)) throw new RangeError("SAE inputScale must be positive");
}

/** Tensor names and shapes of an SAE. */
export function saeShapes(cfg: SaeConfig): Record<string, number[]> {
  return {
    W_enc: [cfg.dIn, cfg.dSae],
    b_enc: [cfg.dSae],
    W_dec: [cfg.dSae, cfg.dIn],
    b_dec: [cfg.dIn],
  };
}

/**
 * Fresh weights: random unit decoder rows, the encoder tied to the decoder's
 * transpose (a common initialisation that avoids early dead latents), and
 * `bDec` (the scaled data mean, when known) as the decoder bias.
 */
export function initSae(cfg: SaeConfig, seed: number, bDec?: readonly number[]): Params {
  validateSaeConfig(cfg);
  const init = tf.tidy(() => {
    const raw = tf.randomNormal([cfg.dSae, cfg.dIn], 0, 1, "float32", seed);
    const dec = tf.div(raw, tf.norm(raw, "euclidean", 1, true)) as tf.Tensor2D;
    return {
      W_enc: tf.transpose(dec),
      b_enc: tf.zeros([cfg.dSae]),
      W_dec: dec,
      b_dec: bDec ? tf.tensor1d(bDec as number[]) : tf.zeros([cfg.dIn]),
    };
  });
  const params: Params = {};
  for (const [name, t] of Object.entries(init)) {
    params[name] = tf.variable(t, true);
    t.dispose();
  }
  return params;
}

/** The decoder with unit-norm rows [dSae, dIn]. */
export function unitDecoder(p: Params): tf.Tensor2D {
  return tf.tidy(() => tf.div(p.W_dec, tf.maximum(tf.norm(p.W_dec, "euclidean", 1, true), 1e-8)));
}

/** Encoder pre-activations [n, dSae] of activations x [n, dIn] (model space). */
export function preActivations(p: Params, cfg: SaeConfig, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() =>
    tf.add(linear(tf.sub(tf.mul(x, cfg.inputScale), p.b_dec) as tf.Tensor2D, p.W_enc as tf.Tensor2D), p.b_enc)
  );
}

/**
 * relu(x) on each row's k largest entries, zero elsewhere. The gradient
 * flows through the kept entries only (the selection itself is constant).
 */
export function topkRelu(x: tf.Tensor2D, k: number): tf.Tensor2D {
  const f = tf.customGrad(
    ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [pre, save] = args as [tf.Tensor, tf.GradSaveFunc];
      const n = pre.shape[1]!;
      const kk = Math.min(k, n);
      const values = tf.topk(pre, Math.min(kk + 1, n)).values;
      // Threshold between the k-th and (k+1)-th values: a strict comparison
      // keeps exactly k entries without ties. (Broadcast comparisons are slow
      // on wasm; step of a broadcast subtraction is not.)
      const kth = values.slice([0, kk - 1], [-1, 1]);
      const threshold = kk < n ? tf.div(tf.add(kth, values.slice([0, kk], [-1, 1])), 2) : tf.sub(kth, 1);
      const mask = tf.mul(tf.step(tf.sub(pre, threshold)), tf.step(pre));
      save([mask]);
      return {
        value: tf.mul(tf.relu(pre), mask),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]),
      };
    }) as Parameters<typeof tf.customGrad>[0],
  );
  return f(x) as tf.Tensor2D;
}

/** Latent activations z [n, dSae] of activations x [n, dIn]. */
export function encodeSae(p: Params, cfg: SaeConfig, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => topkRelu(preActivations(p, cfg, x), cfg.k));
}

/** Reconstruction in model space [n, dIn] of latents z [n, dSae]. */
export function decodeSae(p: Params, cfg: SaeConfig, z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.add(linear(z, unitDecoder(p)), p.b_dec), cfg.inputScale));
}

/** Identity forward, zero gradient. */
const stopGradient = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;

/** Fraction of variance unexplained: Σ‖x − x̂‖² / Σ‖x − mean(x)‖² over the batch. */
export function fvu(x: tf.Tensor2D, xHat: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() =>
    tf.div(
      tf.sum(tf.square(tf.sub(x, xHat))),
      tf.maximum(tf.sum(tf.square(tf.sub(x, tf.mean(x, 0, true)))), 1e-12),
    ) as tf.Scalar
  );
}

/** Options of the SAE training loss. */
export interface SaeLossOptions {
  /** [dSae] 1 for latents counted as dead; enables the auxiliary loss. */
  dead?: tf.Tensor1D;
  /** Dead latents used by the auxiliary reconstruction (TopK among dead). */
  auxK: number;
  auxCoef: number;
}

/**
 * The loss of one batch x [n, dIn] (model space): FVU of the reconstruction
 * in scaled space, plus the AuxK term (Gao et al. 2024): the dead latents'
 * TopK must reconstruct the residual, which gives them gradient again.
 * `fired` [dSae] counts how often each latent was active in the batch.
 */
export function saeLoss(
  p: Params,
  cfg: SaeConfig,
  x: tf.Tensor2D,
  opts: SaeLossOptions,
): { total: tf.Scalar; parts: Record<string, tf.Scalar>; extras: Record<string, tf.Tensor> } {
  const xs = tf.mul(x, cfg.inputScale) as tf.Tensor2D;
  const pre = preActivations(p, cfg, x);
  const z = topkRelu(pre, cfg.k);
  const dec = unitDecoder(p);
  const xHat = tf.add(linear(z, dec), p.b_dec) as tf.Tensor2D;
  const main = fvu(xs, xHat);
  const fired = tf.sum(tf.step(z), 0);
  const l0 = tf.div(tf.sum(fired), x.shape[0]) as tf.Scalar;
  if (!opts.dead || opts.auxCoef === 0) return { total: main, parts: { fvu: main, l0 }, extras: { fired } };
  // Push live latents far below any dead one, so the TopK picks dead latents only.
  const deadPre = tf.sub(tf.mul(pre, opts.dead), tf.mul(tf.sub(1, opts.dead), 1e4)) as tf.Tensor2D;
  const zDead = topkRelu(deadPre, opts.auxK);
  const residual = stopGradient(tf.sub(xs, xHat)) as tf.Tensor2D;
  const aux = fvu(residual, linear(zDead, dec));
  // No dead latents: the aux term is zero rather than a meaningless ratio.
  const anyDead = tf.step(tf.sub(tf.sum(opts.dead), 0.5));
  const auxTerm = tf.mul(aux, anyDead) as tf.Scalar;
  return {
    total: tf.add(main, tf.mul(auxTerm, opts.auxCoef)) as tf.Scalar,
    parts: { fvu: main, aux: auxTerm, l0 },
    extras: { fired },
  };
}

const SAE_LAYOUT: BundleLayout<SaeConfig> = {
  format: "blockem-sae/1",
  indexFile: "sae.json",
  weightsFile: "sae.bin",
  shapes: saeShapes,
  validate: validateSaeConfig,
};

/** Save an SAE to `dir` (sae.json + sae.bin); returns the weights hash. */
export function saveSae(
  dir: string,
  params: Params,
  cfg: SaeConfig,
  meta: Record<string, unknown> = {},
): Promise<string> {
  return saveBundle(SAE_LAYOUT, dir, params, cfg, meta);
}

/** Load an SAE, verifying its hash and shapes. */
export function loadSae(
  dir: string,
): Promise<{ params: Params; config: SaeConfig; hash: string; meta: Record<string, unknown> }> {
  return loadBundle(SAE_LAYOUT, dir);
}
