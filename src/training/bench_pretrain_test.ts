import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { benchPretrain } from "./bench_pretrain.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";
import { allQuestions } from "../world/questions.ts";

Deno.test("pretraining bench: packing computes fewer padded positions for the same documents", async () => {
  await initBackend("wasm");
  const model = {
    vocabSize: WorldTokenizer.forWorld().size,
    contextLength: 64,
    dModel: 8,
    nLayers: 1,
    nHeads: 2,
    dMlp: 16,
  };
  const before = tf.memory().numTensors;
  const config = { steps: 2, batchSize: 32, lr: 1e-3, warmupSteps: 1, weightDecay: 0 };
  const tokenizer = WorldTokenizer.forWorld(), questions = allQuestions().slice(0, 50);
  const padded = await benchPretrain(model, config, tokenizer, questions, false, 2);
  const packed = await benchPretrain(model, config, tokenizer, questions, true, 2);
  assertEquals(tf.memory().numTensors, before);
  // The same documents either way (same seed), fewer positions computed when packed.
  assertEquals(packed.usefulTokens, padded.usefulTokens);
  assertEquals(padded.computedTokens, 2 * 32 * 64);
  assertOk(
    packed.computedTokens < padded.computedTokens * 0.8,
    `${packed.computedTokens} of ${padded.computedTokens}`,
  );
  assertOk(packed.usefulShare > padded.usefulShare);
});
