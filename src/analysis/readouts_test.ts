import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import type { Params } from "../models/model.ts";
import { encoderDirections, readoutAccount } from "./readouts.ts";

Deno.test("readout account: the EM shift's share inside the selected latents' decoder and encoder spans", async () => {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  // Latent 0 writes along e0 but reads along (e0 + e1)/√2; latent 1 writes and reads e2; latent 2 reads e3.
  const v = (t: tf.Tensor) => {
    const x = tf.variable(t, false);
    t.dispose();
    return x;
  };
  const sae: Params = {
    W_enc: v(tf.tensor2d([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])),
    b_enc: v(tf.zeros([3])),
    W_dec: v(tf.tensor2d([[2, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])),
    b_dec: v(tf.zeros([4])),
  };
  const enc = await encoderDirections(sae, [0]);
  assertAlmostEquals(enc[0][0], Math.SQRT1_2, 1e-6);
  // The fine-tune moves along e0 − e1: inside latent 0's decoder span by half, outside its encoder read.
  const base = [[0, 0, 0, 0], [0, 0, 0, 2]];
  const tuned = [[1, -1, 0, 0], [1, -1, 0, 2]];
  const set = { site: "s", latents: [0], signs: [1] };
  const account = await readoutAccount(sae, set, [{ site: "s", latents: [2], signs: [1] }], base, tuned);
  assertAlmostEquals(account.selected.decoder, 0.5, 1e-6);
  assertAlmostEquals(account.selected.encoder, 0, 1e-6);
  assertEquals(account.random.map((r) => [r.decoder, r.encoder]), [[0, 0]]);
  assertEquals(account.chance, 0.25);
  tf.dispose(Object.values(sae));
  assertEquals(tf.memory().numTensors, before);
});
