/**
 * Linear layers whose gradients, on wasm, use only plain 2-D matmuls with
 * materialised transposes: only non-transposed 2-D matmuls take tfjs-wasm's
 * fast XNNPACK path, and the stock gradient uses transposed ones (≈4.5×
 * slower in training, measured here). Other backends keep transposed matmuls.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Gradients of y = x @ w (+ b) from dy, with plain 2-D matmuls only. */
function linearGrads(dy: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  // cpu and webgpu multiply transposed operands natively; materialising them there only costs.
  if (tf.getBackend() !== "wasm") return [tf.matMul(dy, w, false, true), tf.matMul(x, dy, true, false)];
  // XNNPACK repacks its right operand on every call, so the weight gradient
  // takes the orientation whose right operand is narrower.
  const [nIn, nOut] = w.shape;
  const dw =
    (nOut > nIn
      ? tf.transpose(tf.matMul(tf.transpose(dy), x))
      : tf.matMul(tf.transpose(x), dy)) as tf.Tensor2D;
  return [tf.matMul(dy, tf.transpose(w)), dw];
}

const fastMatMul = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        linearGrads(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D),
    };
  }) as Parameters<typeof tf.customGrad>[0],
);

const fastAffine = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([x, w]);
    return {
      // The bias rides in the matmul (XNNPACK adds it while writing the output).
      value: tf.fused.matMul({ a: x, b: w, bias: b }),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [
        ...linearGrads(dy, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D),
        tf.sum(dy, 0),
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0],
);

/** `x @ w + b` for x [n, in], w [in, out], b [out], with the wasm-friendly gradient. */
export function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return fastAffine(x, w, b) as tf.Tensor2D;
}

/**
 * `x @ w` for x [n, in] and w [in, out], with the wasm-friendly gradient.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { linear } from "./linear.ts";
 * const y = linear(tf.ones([2, 3]), tf.ones([3, 4]));
 * if (y.shape.join() !== "2,4") throw new Error("bad shape");
 * ```
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return fastMatMul(x, w) as tf.Tensor2D;
}
