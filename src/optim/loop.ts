/**
 * A training loop that knows nothing about the model: it asks for a batch,
 * a loss with named parts, and applies AdamW. All tensor work of a step is
 * inside one `tf.tidy`, so the tensor count does not grow.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../models/model.ts";
import { AdamW, type AdamWConfig, type AdamWState, DEFAULT_ADAMW } from "./adamw.ts";

/** The loss of one step: the total to minimise and its named parts. */
export interface StepLoss {
  total: tf.Scalar;
  parts: Record<string, tf.Scalar>;
  /** Other tensors to read back after the step (e.g. which SAE latents fired). */
  extras?: Record<string, tf.Tensor>;
}

/** What the loop needs. */
export interface TrainLoopOptions<B> {
  params: Params;
  /** Names of the params to train (default: all); the rest stay fixed. */
  trainable?: readonly string[];
  steps: number;
  learningRate: (step: number) => number;
  nextBatch: (step: number) => B | Promise<B>;
  /** Called inside the gradient tape; build the loss from params and batch. */
  loss: (params: Params, batch: B) => StepLoss;
  /** Frees a batch's own tensors after its step. */
  disposeBatch?: (batch: B) => void;
  optimizer?: AdamWConfig;
  /** Called after every step with the loss parts as numbers, and the extras' values. */
  onStep?: (step: number, losses: Record<string, number>, extras: Record<string, Float32Array>) => void;
  /** Awaited after every step, after `onStep` (e.g. to evaluate a checkpoint along the way). */
  afterStep?: (step: number) => Promise<void>;
  /** Resumable training: snapshots every `every` steps, and a snapshot to continue from. */
  checkpoint?: LoopCheckpoint;
}

/** Everything a loop needs to continue exactly where it stopped. */
export interface LoopSnapshot {
  /** The next step to run. */
  step: number;
  history: Record<string, number>[];
  params: Record<string, Float32Array>;
  optimizer: AdamWState;
  /** The caller's own state (its data generator's), from `captureExtra`. */
  extra: unknown;
}

/** How a loop saves and resumes snapshots. */
export interface LoopCheckpoint {
  every: number;
  save: (snapshot: LoopSnapshot) => Promise<void>;
  resume?: LoopSnapshot | null;
  captureExtra?: () => unknown;
  restoreExtra?: (extra: unknown) => void;
}

/**
 * Run the loop; returns the per-step losses. Reads back with `await data()`
 * (not `dataSync`), which the webgpu backend needs in Deno.
 */
export async function trainLoop<B>(opts: TrainLoopOptions<B>): Promise<Record<string, number>[]> {
  const optimizer = new AdamW(opts.params, opts.optimizer ?? DEFAULT_ADAMW);
  const names = [...(opts.trainable ?? Object.keys(opts.params))];
  const unknown = names.find((n) => !(n in opts.params));
  if (unknown) throw new RangeError(`Cannot train unknown parameter '${unknown}'`);
  if (names.length === 0) throw new RangeError("Nothing to train: every parameter is frozen");
  const byVarName = new Map(names.map((k) => [opts.params[k].name, k]));
  const history: Record<string, number>[] = [];
  const ckpt = opts.checkpoint;
  let first = 0;
  if (ckpt?.resume) {
    const snap = ckpt.resume;
    for (const [k, p] of Object.entries(opts.params)) {
      const x = snap.params[k];
      if (!x || x.length !== p.size) {
        throw new RangeError(`Snapshot parameter '${k}' is missing or mis-shaped`);
      }
      tf.tidy(() => p.assign(tf.tensor(x, p.shape)));
    }
    optimizer.importState(snap.optimizer);
    history.push(...snap.history);
    ckpt.restoreExtra?.(snap.extra);
    first = snap.step;
  }
  try {
    for (let step = first; step < opts.steps; step++) {
      const batch = await opts.nextBatch(step);
      let extraTensors: Record<string, tf.Tensor> = {};
      const kept = tf.tidy(() => {
        let parts: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.variableGrads(() => {
          const l = opts.loss(opts.params, batch);
          // variableGrads disposes intermediates; keep the parts to read them.
          parts = Object.fromEntries(Object.entries(l.parts).map(([k, v]) => [k, tf.keep(v)]));
          extraTensors = Object.fromEntries(Object.entries(l.extras ?? {}).map(([k, v]) => [k, tf.keep(v)]));
          return l.total;
        }, names.map((k) => opts.params[k]));
        const named: Record<string, tf.Tensor> = {};
        for (const [varName, g] of Object.entries(grads)) named[byVarName.get(varName)!] = g;
        optimizer.apply(opts.params, named, opts.learningRate(step));
        return { loss: tf.keep(value), ...parts };
      });
      // A part may be the total itself: read and free each tensor once.
      const values = new Map<tf.Tensor, number>();
      for (const t of new Set(Object.values(kept))) values.set(t, (await t.data())[0]);
      const losses: Record<string, number> = {};
      for (const [k, t] of Object.entries(kept)) losses[k] = values.get(t)!;
      for (const t of values.keys()) t.dispose();
      const extras: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(extraTensors)) {
        extras[k] = await t.data() as Float32Array;
        t.dispose();
      }
      opts.disposeBatch?.(batch);
      if (!Number.isFinite(losses.loss)) {
        throw new Error(`Training diverged at step ${step}: loss ${losses.loss}`);
      }
      history.push(losses);
      opts.onStep?.(step, losses, extras);
      await opts.afterStep?.(step);
      if (ckpt && (step + 1) % ckpt.every === 0 && step + 1 < opts.steps) {
        const params: Record<string, Float32Array> = {};
        for (const [k, p] of Object.entries(opts.params)) params[k] = await p.data() as Float32Array;
        await ckpt.save({
          step: step + 1,
          history: [...history],
          params,
          optimizer: await optimizer.exportState(),
          extra: ckpt.captureExtra?.() ?? null,
        });
      }
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}
