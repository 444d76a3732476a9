/**
 * Training and measuring a TopK SAE on activations from a source: a
 * shuffling buffer, dead-latent tracking (a latent is dead when it has not
 * fired for `deadAfterTokens` tokens) feeding the AuxK loss, and the
 * standard quality numbers FVU, L0 and dead fraction.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../models/model.ts";
import { trainLoop } from "../optim/loop.ts";
import { ActivationBuffer, type ActivationSource } from "./activation_buffer.ts";
import { decodeSae, encodeSae, initSae, type SaeConfig, saeLoss } from "./sae.ts";

/** Hyper-parameters of SAE training (a type alias, so that it fits a config tree). */
export type SaeTrainConfig = {
  dSae: number;
  k: number;
  steps: number;
  /** Tokens per step. */
  batchSize: number;
  lr: number;
  auxK: number;
  auxCoef: number;
  deadAfterTokens: number;
  /** Rows held by the shuffling buffer. */
  bufferTokens: number;
  seed: number;
};

/** Quality of an SAE on a set of activations. */
export interface SaeQuality {
  tokens: number;
  /** Fraction of variance unexplained. */
  fvu: number;
  /** Mean number of active latents per token. */
  l0: number;
  /** Share of latents that never fired on these tokens. */
  deadFraction: number;
}

/** Learning rate: short warm-up, constant, linear decay over the last fifth. */
function saeLr(step: number, total: number, lr: number): number {
  const warm = Math.max(1, Math.floor(total * 0.05));
  if (step < warm) return (lr * (step + 1)) / warm;
  const decayStart = Math.floor(total * 0.8);
  return step < decayStart ? lr : lr * Math.max(0.01, (total - step) / (total - decayStart));
}

/** Train an SAE on `site` activations of width `dIn` drawn from `source`. */
export async function trainSae(
  site: string,
  dIn: number,
  train: SaeTrainConfig,
  source: ActivationSource,
  onStep?: (step: number, losses: Record<string, number>) => void,
): Promise<{ params: Params; config: SaeConfig; history: Record<string, number>[]; deadAtEnd: number }> {
  const buffer = await ActivationBuffer.fill(dIn, train.bufferTokens, source, train.seed);
  // Scale so that E‖s·x‖² = dIn; start the decoder bias at the scaled mean.
  const rows = buffer.rows;
  const n = rows.length / dIn;
  let sq = 0;
  const mean = new Float64Array(dIn);
  for (let i = 0; i < rows.length; i++) {
    sq += rows[i] * rows[i];
    mean[i % dIn] += rows[i];
  }
  const inputScale = Math.sqrt(dIn / (sq / n));
  const config: SaeConfig = { site, dIn, dSae: train.dSae, k: train.k, inputScale };
  const params = initSae(config, train.seed, Array.from(mean, (m) => (m / n) * inputScale));
  const sinceFired = new Float64Array(train.dSae);
  const history = await trainLoop({
    params,
    steps: train.steps,
    learningRate: (s) => saeLr(s, train.steps, train.lr),
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 1 },
    nextBatch: async () => {
      const x = tf.tensor2d(await buffer.take(train.batchSize), [train.batchSize, dIn]);
      const dead = tf.tensor1d(Float32Array.from(sinceFired, (t) => (t >= train.deadAfterTokens ? 1 : 0)));
      return { x, dead };
    },
    loss: (p, b) => saeLoss(p, config, b.x, { dead: b.dead, auxK: train.auxK, auxCoef: train.auxCoef }),
    disposeBatch: (b) => tf.dispose([b.x, b.dead]),
    onStep: (step, losses, extras) => {
      const fired = extras.fired;
      for (let j = 0; j < sinceFired.length; j++) {
        sinceFired[j] = fired[j] > 0 ? 0 : sinceFired[j] + train.batchSize;
      }
      onStep?.(step, losses);
    },
  });
  const deadAtEnd = sinceFired.filter((t) => t >= train.deadAfterTokens).length / train.dSae;
  return { params, config, history, deadAtEnd };
}

/** FVU, L0 and dead fraction of an SAE on activation rows [n, dIn] (flattened). */
export async function measureSae(
  params: Params,
  config: SaeConfig,
  rows: Float32Array,
  batchSize = 4096,
): Promise<SaeQuality> {
  const n = rows.length / config.dIn;
  const fired = new Float64Array(config.dSae);
  let residual = 0, active = 0;
  const sum = new Float64Array(config.dIn), sumSq = new Float64Array(config.dIn);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const chunk = rows.subarray(start * config.dIn, (start + m) * config.dIn);
    const [err, counts] = tf.tidy(() => {
      const x = tf.tensor2d(chunk, [m, config.dIn]);
      const z = encodeSae(params, config, x);
      const xHat = decodeSae(params, config, z);
      return [tf.sum(tf.square(tf.sub(x, xHat))), tf.sum(tf.step(z), 0)];
    });
    residual += (await err.data())[0];
    const c = await counts.data();
    tf.dispose([err, counts]);
    for (let j = 0; j < c.length; j++) {
      fired[j] += c[j];
      active += c[j];
    }
    for (let i = 0; i < chunk.length; i++) {
      sum[i % config.dIn] += chunk[i];
      sumSq[i % config.dIn] += chunk[i] * chunk[i];
    }
  }
  let total = 0;
  for (let j = 0; j < config.dIn; j++) total += sumSq[j] - (sum[j] * sum[j]) / n;
  return {
    tokens: n,
    fvu: residual / total,
    l0: active / n,
    deadFraction: fired.filter((f) => f === 0).length / config.dSae,
  };
}
