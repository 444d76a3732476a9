/**
 * The BLOCK-EM penalty (the paper's step 4):
 *
 *   mean_t [ Σ_{k∈K+} relu(z_k(θ) − z_k(base))² + Σ_{k∈K−} relu(z_k(base) − z_k(θ))² ]
 *
 * One-sided and signed: only movement toward misalignment is penalised.
 * t runs over the masked positions (those that predict response tokens).
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * zTheta, zBase: [n, k]; signs: [k] of ±1; mask: [n] of 0/1.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { signedHingePenalty } from "./penalty.ts";
 * const p = signedHingePenalty(tf.tensor2d([[2]]), tf.tensor2d([[1]]), tf.tensor1d([1]), tf.tensor1d([1]));
 * if (p.dataSync()[0] !== 1) throw new Error("expected relu(2-1)^2 = 1");
 * ```
 */
export function signedHingePenalty(
  zTheta: tf.Tensor2D,
  zBase: tf.Tensor2D,
  signs: tf.Tensor1D,
  mask: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const toward = tf.relu(tf.mul(tf.sub(zTheta, zBase), signs));
    const perPosition = tf.sum(tf.square(toward), -1);
    return tf.div(tf.sum(tf.mul(perPosition, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * Mean over masked positions of KL(base ‖ θ) between next-token
 * distributions: logits [b, s, v] of θ, baseLogProbs [b, s, v], mask [b, s].
 */
export function klToBase(logits: tf.Tensor3D, baseLogProbs: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perPosition = tf.sum(tf.mul(tf.exp(baseLogProbs), tf.sub(baseLogProbs, tf.logSoftmax(logits))), -1);
    return tf.div(tf.sum(tf.mul(perPosition, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/**
 * LDIFS distance: mean over masked positions of ‖hθ − hBase‖² for
 * activations [n, d] and mask [n].
 */
export function featureDistance(hTheta: tf.Tensor2D, hBase: tf.Tensor2D, mask: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perPosition = tf.sum(tf.square(tf.sub(hTheta, hBase)), -1);
    return tf.div(tf.sum(tf.mul(perPosition, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
