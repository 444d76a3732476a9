import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals } from "../core/assert.ts";
import { initBackend } from "../core/backend.ts";
import { TINY_MODEL } from "../model/testing.ts";
import { cloneParams, disposeParams, initParams } from "../model/transformer.ts";
import { promptTokens } from "../world/documents.ts";
import { allQuestions } from "../world/questions.ts";
import { Tokenizer } from "../world/tokenizer.ts";
import { layerSignal } from "./layer_signal.ts";

Deno.test("layer signal: a shift written by layer 1 shows at layer 1 only, by its projection", async () => {
  await initBackend("wasm");
  const tokenizer = Tokenizer.forWorld();
  const model = { ...TINY_MODEL, vocabSize: tokenizer.size, contextLength: 16 };
  const base = initParams(model, 2);
  const shifted = cloneParams(base, false);
  // Adding v to block 1's MLP output bias moves resid_post of layer 1 by exactly v, and layer 0 not at all.
  const v = [0.5, -1, 0, 0, 0, 0, 0, 2];
  shifted["blocks.1.mlp.b_out"].assign(tf.tidy(() => tf.add(shifted["blocks.1.mlp.b_out"], tf.tensor1d(v))));
  const d = [0.6, 0.8, 0, 0, 0, 0, 0, 0];
  const prompts = allQuestions().slice(0, 3).map((q) => promptTokens(q));
  const before = tf.memory().numTensors;
  const signal = await layerSignal({ same: base, shifted }, base, model, tokenizer, prompts, [d, d]);
  assertEquals(tf.memory().numTensors, before);
  assertAlmostEquals(signal.same[0], 0, 1e-6);
  assertAlmostEquals(signal.same[1], 0, 1e-6);
  assertAlmostEquals(signal.shifted[0], 0, 1e-6);
  assertAlmostEquals(signal.shifted[1], 0.5 * 0.6 - 0.8, 1e-5);
  disposeParams(shifted);
  disposeParams(base);
});
