/**
 * Several documents to a row: pretraining documents average about half the
 * context, so padding each to a full row spends close to half the compute
 * on padding. Packed rows keep documents apart with an attention mask (a
 * token attends only to earlier tokens of its own document) and restart
 * positions at each document, so every document computes exactly what it
 * would alone in a padded row: the model, its loss and its gradients are
 * unchanged to float rounding, only fewer rows are computed. (The
 * alternative, letting documents see each other across a separator, would
 * change what the model learns; this keeps the organism's results
 * comparable with the padded runs.)
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Sequence } from "../world/documents.ts";
import { encodeSequence, type Tokenizer } from "../tokenizers/tokenizer.ts";
import { type Batch, placeSequence } from "./batches.ts";

/** A packed batch as plain arrays: the padded batch's fields plus each token's document position and document. */
export interface PackedBatch extends Batch {
  /** Position of each token within its document (0 on padding). */
  positions: Int32Array;
  /** Document index of each token within its row, -1 on padding. */
  segments: Int32Array;
  /** Tokens that belong to a document (not padding). */
  usefulTokens: number;
}

/**
 * Pack `sequences` in order into rows of `seq` ids: a document goes on the
 * current row if it fits, else starts the next; one longer than `seq` is
 * truncated to it (as `packBatch` does). Loss mask as `packBatch`: each
 * document's own next-token targets, never the next document's first token.
 */
export function packDocuments(
  sequences: readonly Sequence[],
  tokenizer: Tokenizer,
  seq: number,
): PackedBatch {
  const encoded = sequences.map((s) => encodeSequence(tokenizer, s));
  const rows: (typeof encoded)[] = [];
  let used = seq;
  for (const e of encoded) {
    const n = Math.min(seq, e.ids.length);
    if (used + n > seq) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1].push(e);
    used += n;
  }
  const b = rows.length;
  const tokens = new Int32Array(b * seq).fill(tokenizer.pad);
  const lossMask = new Float32Array(b * seq);
  const positions = new Int32Array(b * seq);
  const segments = new Int32Array(b * seq).fill(-1);
  let usefulTokens = 0;
  rows.forEach((docs, r) => {
    let at = r * seq;
    docs.forEach((e, doc) => {
      const n = placeSequence(e, at, seq, tokens, lossMask);
      for (let j = 0; j < n; j++) {
        positions[at + j] = j;
        segments[at + j] = doc;
      }
      at += n;
      usefulTokens += n;
    });
  });
  return { tokens, lossMask, batch: b, seq, positions, segments, usefulTokens };
}

/** Additive attention mask of each row: 0 where token i may attend to token j (same document, j ≤ i), else -1e9. */
export function packedAttentionMask(p: PackedBatch): Float32Array {
  const { batch, seq, segments } = p;
  const mask = new Float32Array(batch * seq * seq).fill(-1e9);
  for (let r = 0; r < batch; r++) {
    for (let i = 0; i < seq; i++) {
      const si = segments[r * seq + i];
      const row = (r * seq + i) * seq;
      // Padding attends to itself only, so its softmax is defined.
      if (si < 0) {
        mask[row + i] = 0;
        continue;
      }
      for (let j = i; j >= 0 && segments[r * seq + j] === si; j--) mask[row + j] = 0;
    }
  }
  return mask;
}

/** The packed batch as tensors (caller disposes): tokens and loss mask, plus the forward pass's `packed` option. */
export function packedTensors(p: PackedBatch): {
  tokens: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  packed: { positions: tf.Tensor2D; attentionMask: tf.Tensor3D };
} {
  return {
    tokens: tf.tensor2d(p.tokens, [p.batch, p.seq], "int32"),
    lossMask: tf.tensor2d(p.lossMask, [p.batch, p.seq], "float32"),
    packed: {
      positions: tf.tensor2d(p.positions, [p.batch, p.seq], "int32"),
      attentionMask: tf.tensor3d(packedAttentionMask(p), [p.batch, p.seq, p.seq]),
    },
  };
}
