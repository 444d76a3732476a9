/**
 * Feature maps turn activations at one site into feature strengths z
 * [n, k], with a sign per feature: +1 for features that rise under emergent
 * misalignment (K+), -1 for those that fall (K−). Directions (difference of
 * means, random) and SAE latents both implement this interface.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { linear } from "../models/linear.ts";

/** Feature strengths at a site, with signs. */
export interface FeatureMap {
  /** Site name the features read, e.g. `blocks.1.resid_post`. */
  readonly site: string;
  /** +1 (K+) or -1 (K−) per feature. */
  readonly signs: readonly number[];
  /** z for activations h [n, dModel] → [n, k]. */
  encode(h: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** Serialisable form of a direction feature map. */
export interface DirectionSet {
  site: string;
  /** Unit vectors, one per feature. */
  directions: number[][];
  signs: number[];
}

/** Features that are projections on fixed directions: z = h · d̂. */
export class DirectionFeatures implements FeatureMap {
  readonly site: string;
  readonly signs: readonly number[];
  readonly #dT: tf.Tensor2D;

  constructor(set: DirectionSet) {
    if (set.directions.length === 0 || set.directions.length !== set.signs.length) {
      throw new RangeError("A direction set needs one sign per direction and at least one direction");
    }
    if (set.signs.some((s) => s !== 1 && s !== -1)) throw new RangeError("Signs must be +1 or -1");
    this.site = set.site;
    this.signs = set.signs;
    this.#dT = tf.tidy(() => tf.transpose(tf.tensor2d(set.directions)) as tf.Tensor2D);
  }

  encode(h: tf.Tensor2D): tf.Tensor2D {
    return linear(h, this.#dT);
  }

  dispose(): void {
    this.#dT.dispose();
  }
}

/** Normalise a vector to unit length. */
export function unit(v: readonly number[]): number[] {
  const n = Math.hypot(...v);
  if (!(n > 0)) throw new RangeError("Cannot normalise a zero vector");
  return v.map((x) => x / n);
}
