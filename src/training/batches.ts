/**
 * Pack token sequences into padded int32 batches.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Sequence } from "../world/documents.ts";
import { encodeSequence, type IdSequence, type Tokenizer } from "../tokenizers/tokenizer.ts";

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
  encoded.forEach((e, i) => placeSequence(e, i * len, len, tokens, lossMask));
  return { tokens, lossMask, batch: b, seq: len };
}

/**
 * Write one encoded sequence at `at`, truncated to `max` ids, with its own
 * next-token targets (its last id predicts nothing); returns the ids written.
 * Shared by padded batches and packed rows (`packing.ts`).
 */
export function placeSequence(
  e: IdSequence,
  at: number,
  max: number,
  tokens: Int32Array,
  lossMask: Float32Array,
): number {
  const n = Math.min(max, e.ids.length);
  tokens.set(e.ids.slice(0, n), at);
  for (let j = 0; j < n - 1; j++) lossMask[at + j] = e.lossMask[j];
  return n;
}

/** The batch as tensors (caller disposes). */
export function batchTensors(b: Batch): { tokens: tf.Tensor2D; lossMask: tf.Tensor2D } {
  return {
    tokens: tf.tensor2d(b.tokens, [b.batch, b.seq], "int32"),
    lossMask: tf.tensor2d(b.lossMask, [b.batch, b.seq], "float32"),
  };
}
