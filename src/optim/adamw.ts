/**
 * AdamW with decoupled weight decay on matrices only, and global-norm
 * gradient clipping. The optimizer owns its moment variables so that its
 * state can be disposed (and later checkpointed) explicitly.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../models/model.ts";
import { FUSED, fusedKernelsActive } from "../backend/fused.ts";

/** Optimizer hyper-parameters. */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clipNorm: number;
}

/** Defaults after nanoGPT. */
export const DEFAULT_ADAMW: AdamWConfig = {
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.1,
  clipNorm: 1.0,
};

/** AdamW's state: the step count and both moments per parameter. */
export interface AdamWState {
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

/** AdamW over a fixed set of named variables. */
export class AdamW {
  readonly config: AdamWConfig;
  #m: Map<string, tf.Variable> = new Map();
  #v: Map<string, tf.Variable> = new Map();
  step = 0;

  constructor(params: Params, config: AdamWConfig = DEFAULT_ADAMW) {
    this.config = config;
    for (const [k, p] of Object.entries(params)) {
      // Variables survive tidy; the zero temporaries do not leak.
      this.#m.set(k, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.#v.set(k, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** Apply one update with learning rate `lr`. Disposes nothing it was given. */
  apply(params: Params, grads: Record<string, tf.Tensor>, lr: number): void {
    this.step++;
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.config;
    const c1 = 1 - beta1 ** this.step, c2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      const names = Object.keys(grads);
      let scale: tf.Scalar | number = 1;
      if (clipNorm > 0) {
        const sq = tf.addN(names.map((k) => tf.sum(tf.square(grads[k]))));
        const norm = tf.sqrt(sq);
        scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12))) as tf.Scalar;
      }
      const fused = fusedKernelsActive();
      const scaleT = fused ? (typeof scale === "number" ? tf.scalar(scale) : scale) : null;
      for (const k of names) {
        const p = params[k], m = this.#m.get(k)!, v = this.#v.get(k)!;
        if (scaleT) {
          const wd = p.rank >= 2 ? weightDecay : 0;
          const [pNew, mNew, vNew] = tf.engine().runKernel(
            FUSED.adamw,
            { p, g: grads[k], m, v, scale: scaleT },
            { beta1, beta2, c1, c2, eps, lr, weightDecay: wd },
          ) as tf.Tensor[];
          m.assign(mNew);
          v.assign(vNew);
          p.assign(pNew);
          continue;
        }
        const g = tf.mul(grads[k], scale);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        const decay = p.rank >= 2 && weightDecay > 0 ? tf.mul(p, weightDecay) : null;
        p.assign(tf.sub(p, tf.mul(decay ? tf.add(update, decay) : update, lr)));
      }
    });
  }

  /** The moments and step, for a resumable checkpoint. */
  async exportState(): Promise<AdamWState> {
    const read = async (vars: Map<string, tf.Variable>) => {
      const out: Record<string, Float32Array> = {};
      for (const [k, v] of vars) out[k] = await v.data() as Float32Array;
      return out;
    };
    return { step: this.step, m: await read(this.#m), v: await read(this.#v) };
  }

  /** Restore a state taken with `exportState` (same parameter names and shapes). */
  importState(state: AdamWState): void {
    for (const [vars, values] of [[this.#m, state.m], [this.#v, state.v]] as const) {
      for (const [k, variable] of vars) {
        const x = values[k];
        if (!x || x.length !== variable.size) {
          throw new RangeError(`Optimizer state for '${k}' is missing or mis-shaped`);
        }
        tf.tidy(() => variable.assign(tf.tensor(x, variable.shape)));
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const v of [...this.#m.values(), ...this.#v.values()]) v.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
