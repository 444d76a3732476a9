/**
 * What a judge needs of a model: next-token log-probabilities for a batch
 * of token sequences. Judges see only this interface, so a planted
 * distribution (tests) or a model of any registered architecture can stand
 * in for the organism's transformer.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Intervention } from "./interventions.ts";
import { forward, type ModelConfig, type Params, unembed } from "./model.ts";

/** A causal language model as judges see it. */
export interface LanguageModel {
  readonly vocabSize: number;
  /**
   * Log-probabilities of the next token at every position of right-padded
   * int32 `tokens` [batch, seq], flattened to [batch * seq * vocab].
   */
  nextTokenLogProbs(tokens: Int32Array, batch: number, seq: number): Promise<Float32Array>;
  /**
   * Optional, faster: the log-probability of the token that follows at each
   * position, [batch * seq] (0 at the last position). What scoring needs,
   * without reading back the vocabulary axis.
   */
  targetLogProbs?(tokens: Int32Array, batch: number, seq: number): Promise<Float32Array>;
  /**
   * Optional, faster: next-token log-probabilities at one position per row,
   * [batch * vocab]. What sampling needs, without the other positions.
   */
  logProbsAt?(tokens: Int32Array, batch: number, seq: number, positions: Int32Array): Promise<Float32Array>;
}

/** log softmax(z)[target] per row of z [n, v]; lse = max z − log max softmax z, which cannot underflow. */
function pickedLogProbs(z: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const lse = tf.sub(tf.max(z, -1), tf.log(tf.max(tf.softmax(z), -1)));
  return tf.sub(tf.sum(tf.mul(z, tf.oneHot(targets, z.shape[1]).toFloat()), -1), lse) as tf.Tensor1D;
}

/** A model of any registered architecture as a LanguageModel, optionally with site edits (steering). */
export function transformerLM(
  params: Params,
  config: ModelConfig,
  interventions: readonly Intervention[] = [],
): LanguageModel {
  return {
    vocabSize: config.vocabSize,
    async nextTokenLogProbs(tokens, batch, seq) {
      const logp = tf.tidy(() =>
        tf.logSoftmax(
          forward(params, config, tf.tensor2d(tokens, [batch, seq], "int32"), { interventions }).logits!,
        )
      );
      // Async read: the webgpu backend cannot read synchronously in Deno.
      const out = await logp.data() as Float32Array;
      logp.dispose();
      return out;
    },
    async targetLogProbs(tokens, batch, seq) {
      const picked = tf.tidy(() => {
        const ids = tf.tensor2d(tokens, [batch, seq], "int32");
        const logits = forward(params, config, ids, { interventions }).logits!.reshape([batch * seq, -1]);
        const next = tf.concat([ids.slice([0, 1], [batch, seq - 1]), tf.zeros([batch, 1], "int32")], 1);
        const last = tf.oneHot(tf.fill([batch], seq - 1, "int32"), seq).reshape([batch * seq]);
        return tf.mul(pickedLogProbs(logits as tf.Tensor2D, next.reshape([batch * seq])), tf.sub(1, last));
      });
      const out = await picked.data() as Float32Array;
      picked.dispose();
      return out;
    },
    async logProbsAt(tokens, batch, seq, positions) {
      const logp = tf.tidy(() => {
        const ids = tf.tensor2d(tokens, [batch, seq], "int32");
        const hidden = forward(params, config, ids, {
          interventions,
          cache: ["ln_final"],
          stopAt: "ln_final",
        })
          .cache.get("ln_final")!.reshape([batch * seq, config.dModel]);
        const rows = Int32Array.from(positions, (p, i) => i * seq + p);
        const x = tf.gather(hidden, tf.tensor1d(rows, "int32")) as tf.Tensor2D;
        return tf.logSoftmax(unembed(params, config, x));
      });
      const out = await logp.data() as Float32Array;
      logp.dispose();
      return out;
    },
  };
}
