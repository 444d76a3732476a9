/**
 * The building blocks architectures share, each with a fused path where
 * blockem's wasm kernels are installed (`backend/fused.ts`) and the
 * op-by-op path elsewhere: LayerNorm, GELU, softmax with its gradient, the
 * embedding lookup and the causal mask.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FUSED, fusedKernelsActive, GELU_A, GELU_C } from "../backend/fused.ts";
import { linear } from "./linear.ts";

/** LayerNorm over the last axis (eps 1e-5), fused on wasm. */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  if (fusedKernelsActive()) return fusedLayerNorm(x, w as tf.Tensor1D, b as tf.Tensor1D);
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, LN_EPS))), w), b) as tf.Tensor2D;
}

const LN_EPS = 1e-5;

/** LayerNorm as one wasm kernel each way (same function as the op-by-op form above). */
const fusedLayerNorm = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, xhat, rstd] = tf.engine().runKernel(FUSED.layerNorm, { x, w, b }, {
      eps: LN_EPS,
    }) as tf.Tensor[];
    save([xhat, rstd, w]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, ws] = saved;
        return tf.engine().runKernel(FUSED.layerNormGrad, { dy, xhat: xh, rstd: rs, w: ws }) as tf.Tensor[];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * GELU, tanh approximation, written as x·σ(u) with u = 2√(2/π)(x + 0.044715x³):
 * the same function as 0.5x(1 + tanh(u/2)), since 1 + tanh(z) = 2σ(2z). σ is
 * ≈7× faster than tanh on wasm, and x·x² avoids the slow pow(3).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedKernelsActive()) return fusedGelu(x);
  return tf.mul(x, tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_A * GELU_C), GELU_C))));
}

/** GELU with u computed and the gradient taken by wasm kernels, σ by XNNPACK. */
const fusedGelu = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const s = tf.sigmoid(tf.engine().runKernel(FUSED.geluArgument, { x }) as tf.Tensor);
    save([x, s]);
    return {
      value: tf.mul(x, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(FUSED.geluGrad, { x: saved[0], s: saved[1], dy }) as tf.Tensor,
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;

/** Softmax over the last axis; on wasm its gradient is one kernel instead of four ops. */
export function softmax(x: tf.Tensor): tf.Tensor {
  return fusedKernelsActive() ? fusedSoftmax(x) : tf.softmax(x);
}

const fusedSoftmax = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.softmax(x);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(FUSED.softmaxGrad, { y: saved[0], dy }) as tf.Tensor,
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;

/** Causal additive mask [seq, seq]: 0 on and below the diagonal, -1e9 above. */
export function causalMask(seq: number): tf.Tensor2D {
  // Built once per length in plain JS: bandPart takes a dozen small ops per forward pass.
  let values = maskValues.get(seq);
  if (!values) {
    values = new Float32Array(seq * seq);
    for (let i = 0; i < seq; i++) values.fill(-1e9, i * seq + i + 1, (i + 1) * seq);
    maskValues.set(seq, values);
  }
  return tf.tensor2d(values, [seq, seq]);
}

const maskValues = new Map<number, Float32Array>();

/**
 * Rows of the embedding matrix for int32 ids [n]. A gather where blockem's
 * wasm kernels give its gradient (a segment sum); elsewhere a one-hot matmul.
 * tfjs-wasm has no segment sum, tfjs-cpu's took 5 s of a 9 s step, and
 * tfjs-webgpu's left rows no id touched as garbage (NaN weights after a few
 * AdamW steps; `optim/webgpu_training_test.ts` catches it).
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (fusedKernelsActive()) return tf.gather(table, ids);
  return linear(tf.oneHot(ids, table.shape[0]).toFloat() as tf.Tensor2D, table);
}
