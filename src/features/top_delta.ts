/**
 * Discovery by top-Δ model diffing (the paper's step 1): encode the same
 * prompts' activations from the base and the discovery model with the SAE,
 * rank latents by their mean activation shift, and pool the N largest rises
 * and the N largest falls.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../models/model.ts";
import { encodeSae, type SaeConfig } from "../sae/sae.ts";

/** One latent's mean activation on the base and the fine-tuned model. */
export interface LatentShift {
  latent: number;
  meanBase: number;
  meanTuned: number;
  /** meanTuned − meanBase. */
  delta: number;
}

/** Each latent's mean activation over activation rows [n, dIn]. */
export async function meanLatents(
  sae: Params,
  cfg: SaeConfig,
  acts: readonly number[][],
): Promise<Float32Array> {
  const m = tf.tidy(() => tf.mean(encodeSae(sae, cfg, tf.tensor2d(acts as number[][])), 0));
  const out = await m.data() as Float32Array;
  m.dispose();
  return out;
}

/** Every latent's shift between paired activations [n, dIn] of base and tuned model. */
export async function latentShifts(
  sae: Params,
  cfg: SaeConfig,
  baseActs: readonly number[][],
  tunedActs: readonly number[][],
): Promise<LatentShift[]> {
  if (baseActs.length === 0 || baseActs.length !== tunedActs.length) {
    throw new RangeError("Top-Δ needs the same non-empty prompts for both models");
  }
  const b = await meanLatents(sae, cfg, baseActs), t = await meanLatents(sae, cfg, tunedActs);
  return Array.from(
    b,
    (mb, latent) => ({ latent, meanBase: mb, meanTuned: t[latent], delta: t[latent] - mb }),
  );
}

/** The N largest positive and N largest negative shifts, largest |Δ| first; ties by latent index. */
export function topDeltaPool(shifts: readonly LatentShift[], n: number): LatentShift[] {
  const byMagnitude = (a: LatentShift, b: LatentShift) =>
    Math.abs(b.delta) - Math.abs(a.delta) || a.latent - b.latent;
  const rises = shifts.filter((s) => s.delta > 0).sort(byMagnitude).slice(0, n);
  const falls = shifts.filter((s) => s.delta < 0).sort(byMagnitude).slice(0, n);
  return [...rises, ...falls].sort(byMagnitude);
}
