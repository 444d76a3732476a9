import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { TINY_MODEL as cfg } from "../models/testing.ts";
import { disposeParams, forward, initParams } from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
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

Deno.test("a 1,000-step loop with snapshots every 250 steps holds the tensor count constant", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 3);
  const tokens = tf.tensor2d([[1, 2, 3, 4]], undefined, "int32");
  const mask = tf.ones([1, 4]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  let snapshots = 0;
  await trainLoop({
    params,
    steps: 1000,
    learningRate: () => 1e-3,
    nextBatch: () => ({ tokens, mask }),
    loss: (p, b) => ({
      total: maskedNextTokenLoss(forward(p, cfg, b.tokens).logits!, b.tokens, b.mask),
      parts: {},
    }),
    onStep: () => counts.push(tf.memory().numTensors),
    checkpoint: {
      every: 250,
      save: () => {
        snapshots++;
        return Promise.resolve();
      },
    },
  });
  assertEquals(snapshots, 3);
  assertEquals(new Set(counts.slice(1)).size, 1, `tensor count changed between steps 1 and 999`);
  assertEquals(tf.memory().numTensors, before, "the loop left tensors behind");
  tf.dispose([tokens, mask]);
  disposeParams(params);
});

Deno.test("a loss that stops being finite stops training with the step named, and leaks nothing", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 7);
  const before = tf.memory().numTensors;
  let step = 0;
  await assertRejects(
    () =>
      trainLoop({
        params,
        steps: 10,
        learningRate: () => 1e-2,
        nextBatch: () => null,
        // Finite for three steps, then a division by zero.
        loss: (p) => ({ total: tf.div(tf.sum(p["ln_final.w"]), step++ < 3 ? 1 : 0) as tf.Scalar, parts: {} }),
      }),
    /Training diverged at step 3: loss (Infinity|NaN)/,
  );
  // The optimiser's moments are freed with the loop, error or not.
  assertEquals(tf.memory().numTensors, before);
  disposeParams(params);
});
