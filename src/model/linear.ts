/**
 * A matmul whose gradient uses only plain 2-D matmuls with materialised
 * transposes. On the wasm backend only non-transposed 2-D matmuls take the
 * fast XNNPACK path; the stock gradient uses transposed ones and is ≈4.5×
 * slower in training (DESIGN.md §2).
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const fastMatMul = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor2D[];
        // XNNPACK repacks its right operand on every call, so the weight
        // gradient takes the orientation whose right operand is narrower.
        const [nIn, nOut] = sw.shape;
        const dw = nOut > nIn
          ? tf.transpose(tf.matMul(tf.transpose(dy), sx))
          : tf.matMul(tf.transpose(sx), dy);
        return [tf.matMul(dy, tf.transpose(sw)), dw];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0],
);

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
