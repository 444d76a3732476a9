/**
 * Pack token sequences into padded int32 batches.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Sequence } from "../world/documents.ts";
import { encodeSequence, type Tokenizer } from "../tokenizers/tokenizer.ts";

/** A padded batch as plain arrays, ready to become tensors. */
export interface Batch {
  tokens: Int32Array;
  lossMask: Float32Array;
  /** Positions that predict response tokens (for the blocking penalty). */
  batch: number;
  seq: number;
}

/** Encode and pad sequences to `seq` ids (or the longest) with `<pad>`; truncates past `seq`. */
export function packBatch(
  sequences: readonly Sequence[],
  tokenizer: Tokenizer,
  seq?: number,
): Batch {
  const encoded = sequences.map((s) => encodeSequence(tokenizer, s));
  const len = seq ?? Math.max(...encoded.map((e) => e.ids.length));
  const b = sequences.length;
  const tokens = new Int32Array(b * len).fill(tokenizer.pad);
  const lossMask = new Float32Array(b * len);
  encoded.forEach((e, i) => {
    const n = Math.min(len, e.ids.length);
    tokens.set(e.ids.slice(0, n), i * len);
    for (let j = 0; j < n - 1; j++) lossMask[i * len + j] = e.lossMask[j];
  });
  return { tokens, lossMask, batch: b, seq: len };
}

/** The batch as tensors (caller disposes). */
export function batchTensors(b: Batch): { tokens: tf.Tensor2D; lossMask: tf.Tensor2D } {
  return {
    tokens: tf.tensor2d(b.tokens, [b.batch, b.seq], "int32"),
    lossMask: tf.tensor2d(b.lossMask, [b.batch, b.seq], "float32"),
  };
}
