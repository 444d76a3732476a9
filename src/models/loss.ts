/**
 * The language-model loss: weighted next-token cross-entropy with its
 * gradient written out.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Σ_i weights[i] · −log softmax(logits[i])[targets[i]] for logits [n, v],
 * int32 targets [n] and weights [n]. The gradient is written out,
 * (softmax − onehot) · weight, instead of differentiating log-softmax op by
 * op; the log-normaliser is max(z) − log max(softmax(z)), which needs no exp
 * beyond the softmax and cannot underflow (max softmax ≥ 1/v).
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const v = logits.shape[1];
  const f = tf.customGrad(
    ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      const probs = tf.softmax(z);
      const oneHot = tf.oneHot(targets, v).toFloat();
      // Everything the gradient reads goes through save: tensors captured by
      // the closure are disposed when the forward pass's scope ends.
      save([probs, oneHot, weights]);
      const logNormaliser = tf.sub(tf.max(z, -1), tf.log(tf.max(probs, -1)));
      const nll = tf.sub(logNormaliser, tf.sum(tf.mul(z, oneHot), -1));
      return {
        value: tf.sum(tf.mul(nll, weights)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [probs, oneHot, w] = saved;
          return [tf.mul(tf.sub(probs, oneHot), tf.mul(w, dy).reshape([-1, 1]))];
        },
      };
    }) as Parameters<typeof tf.customGrad>[0],
  );
  return f(logits) as tf.Scalar;
}

/**
 * Mean next-token cross-entropy over positions where `lossMask` is 1.
 * tokens and lossMask are [batch, seq]; lossMask[:, i] scores tokens[:, i+1].
 * Every position is scored against its next token (the last against a
 * placeholder with weight 0), so the logits are never sliced.
 */
export function maskedNextTokenLoss(
  logits: tf.Tensor3D,
  tokens: tf.Tensor2D,
  lossMask: tf.Tensor2D,
): tf.Scalar {
  const [batch, seq, v] = logits.shape;
  const last = tf.zeros([batch, 1], "int32");
  const targets = tf.concat([tokens.slice([0, 1], [batch, seq - 1]), last], 1).reshape([
    batch * seq,
  ]) as tf.Tensor1D;
  const weights = tf.concat([lossMask.slice([0, 0], [batch, seq - 1]), tf.zeros([batch, 1])], 1)
    .reshape([batch * seq]) as tf.Tensor1D;
  const total = weightedCrossEntropy(logits.reshape([batch * seq, v]), targets, weights);
  return tf.div(total, tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
}
