import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../core/backend.ts";
import { TINY_MODEL as cfg } from "../model/testing.ts";
import { disposeParams, forward, initParams, maskedNextTokenLoss } from "../model/transformer.ts";
import { trainLoop } from "./loop.ts";

Deno.test("training loop: loss falls and the tensor count does not grow", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 7);
  const tokens = [[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7]];
  const counts: number[] = [];
  const history = await trainLoop({
    params,
    steps: 40,
    learningRate: () => 1e-2,
    nextBatch: () => ({
      tokens: tf.tensor2d(tokens, undefined, "int32"),
      mask: tf.ones([2, 6]) as tf.Tensor2D,
    }),
    loss: (p, b) => ({
      total: maskedNextTokenLoss(forward(p, cfg, b.tokens).logits!, b.tokens, b.mask),
      parts: {},
    }),
    disposeBatch: (b) => tf.dispose([b.tokens, b.mask]),
    onStep: () => counts.push(tf.memory().numTensors),
  });
  assertOk(history[39].loss < history[0].loss * 0.5, `loss ${history[0].loss} → ${history[39].loss}`);
  assertEquals(new Set(counts.slice(1)).size, 1, `tensor count changed: ${counts.slice(0, 5)}…`);
  disposeParams(params);
});
