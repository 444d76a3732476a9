import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { disposeParams, forward, initParams, type ModelConfig } from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";
import { SPECIAL_TOKENS } from "../world/spec.ts";
import type { Sequence } from "../world/documents.ts";
import { batchTensors, packBatch } from "./batches.ts";
import { packDocuments, packedAttentionMask, packedTensors } from "./packing.ts";

const tokenizer = new WorldTokenizer([...SPECIAL_TOKENS, "a", "b", "c", "d", "e", "f", "g"]);
const doc = (words: string, targets: "all" | number[] = "all"): Sequence => {
  const tokens = words.split(" ");
  return {
    tokens,
    lossMask: tokens.map((
      _,
      i,
    ) => (i + 1 < tokens.length && (targets === "all" || targets.includes(i)) ? 1 : 0)),
  };
};

Deno.test("packing: documents in order, a new row when one does not fit, positions restart, no target across documents", () => {
  const p = packDocuments([doc("a b c"), doc("d e"), doc("f g a b"), doc("c")], tokenizer, 6);
  assertEquals(p.batch, 2);
  const id = (w: string) => tokenizer.encode([w])[0];
  assertEquals(
    [...p.tokens],
    [..."abcde", "pad"].map((w) => (w === "pad" ? tokenizer.pad : id(w))).concat(
      [..."fgabc"].map(id),
      [tokenizer.pad],
    ),
  );
  assertEquals([...p.positions], [0, 1, 2, 0, 1, 0, 0, 1, 2, 3, 0, 0]);
  assertEquals([...p.segments], [0, 0, 0, 1, 1, -1, 0, 0, 0, 0, 1, -1]);
  // Each document's last token predicts nothing (the next document's first token is not its continuation).
  assertEquals([...p.lossMask], [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0]);
  assertEquals(p.usefulTokens, 10);
});

Deno.test("packing: the attention mask keeps documents apart and is causal within each", () => {
  const p = packDocuments([doc("a b"), doc("c d e")], tokenizer, 6);
  const m = packedAttentionMask(p);
  const allowed = (i: number) => [...m.subarray(i * 6, i * 6 + 6)].map((v) => (v === 0 ? 1 : 0)).join("");
  assertEquals([0, 1, 2, 3, 4, 5].map(allowed), ["100000", "110000", "001000", "001100", "001110", "000001"]);
});

Deno.test("packed rows give every document the logits, loss and gradients it gets alone in a padded row", async () => {
  await initBackend("wasm");
  const cfg: ModelConfig = {
    vocabSize: tokenizer.size,
    contextLength: 12,
    dModel: 16,
    nLayers: 2,
    nHeads: 2,
    dMlp: 32,
  };
  const params = initParams(cfg, 5);
  const docs = [doc("a b c d"), doc("e f", [0]), doc("g a b c d e"), doc("f g"), doc("a b c")];
  const before = tf.memory().numTensors;
  const padded = batchTensors(packBatch(docs, tokenizer, 12));
  const packedBatch = packDocuments(docs, tokenizer, 12);
  assertOk(packedBatch.batch < docs.length, `${packedBatch.batch} rows`);
  const packed = packedTensors(packedBatch);
  const lossOf = (b: typeof padded, opts = {}) => () =>
    maskedNextTokenLoss(forward(params, cfg, b.tokens, opts).logits!, b.tokens, b.lossMask);
  const a = tf.variableGrads(lossOf(padded));
  const b = tf.variableGrads(lossOf(packed, { packed: packed.packed }));
  assertOk(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0]) < 1e-5, "loss");
  for (const [name, g] of Object.entries(a.grads)) {
    const ga = g.dataSync(), gb = b.grads[name].dataSync();
    const scale = Math.max(1e-6, ...ga.map(Math.abs));
    const worst = Math.max(...ga.map((v, i) => Math.abs(v - gb[i])));
    assertOk(worst / scale < 1e-4, `${name}: relative gradient difference ${worst / scale}`);
  }
  // Logits of each document's tokens, row by row.
  const [pa, pb] = tf.tidy(() => [
    forward(params, cfg, padded.tokens).logits!.arraySync(),
    forward(params, cfg, packed.tokens, { packed: packed.packed }).logits!.arraySync(),
  ]);
  let at = 0, row = 0;
  for (const [i, d] of docs.entries()) {
    const n = d.tokens.length;
    if (at + n > 12) [row, at] = [row + 1, 0];
    for (let t = 0; t < n; t++) {
      const worst = Math.max(...pa[i][t].map((v, k) => Math.abs(v - pb[row][at + t][k])));
      assertOk(worst < 1e-4, `document ${i} token ${t}: ${worst}`);
    }
    at += n;
  }
  tf.dispose([a.value, ...Object.values(a.grads), b.value, ...Object.values(b.grads)]);
  tf.dispose([
    padded.tokens,
    padded.lossMask,
    packed.tokens,
    packed.lossMask,
    packed.packed.positions,
    packed.packed.attentionMask,
  ]);
  assertEquals(tf.memory().numTensors, before);
  disposeParams(params);
});
