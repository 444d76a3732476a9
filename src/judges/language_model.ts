/**
 * What a judge needs of a model: next-token log-probabilities for a batch
 * of token sequences. Judges see only this interface, so a planted
 * distribution (tests) or any larger tfjs model can stand in for the
 * organism's transformer.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Intervention } from "../model/interventions.ts";
import { forward, type ModelConfig, type Params } from "../model/transformer.ts";

/** A causal language model as judges see it. */
export interface LanguageModel {
  readonly vocabSize: number;
  /**
   * Log-probabilities of the next token at every position of right-padded
   * int32 `tokens` [batch, seq], flattened to [batch * seq * vocab].
   */
  nextTokenLogProbs(tokens: Int32Array, batch: number, seq: number): Promise<Float32Array>;
}

/** The organism's transformer as a LanguageModel, optionally with site edits (steering). */
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
  };
}
