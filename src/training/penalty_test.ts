import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { featureDistance, klToBase, signedHingePenalty } from "./penalty.ts";

// K+ feature 0 rose by 1 in row 0 (penalised) and fell in row 1 (free);
// K− feature 1 fell by 1 in rows 0 and 1 (penalised); row 2 is masked out.
const zTheta = [[2, 0], [0.5, -1], [3, 3]];
const zBase = [[1, 1], [1, 0], [0, 0]];
const signs = [1, -1];
const mask = [1, 1, 0];

Deno.test("signed hinge penalty: value on a hand-computed case", async () => {
  await initBackend("cpu");
  const p = tf.tidy(() =>
    signedHingePenalty(tf.tensor2d(zTheta), tf.tensor2d(zBase), tf.tensor1d(signs), tf.tensor1d(mask))
      .dataSync()[0]
  );
  // row 0: 1² + 1² = 2; row 1: 0 + 1² = 1; mean over 2 unmasked rows = 1.5
  assertAlmostEquals(p, 1.5, 1e-6);
});

Deno.test("signed hinge penalty: gradient on a hand-computed case", async () => {
  await initBackend("cpu");
  const g = tf.tidy(() =>
    tf.grad((z: tf.Tensor) =>
      signedHingePenalty(z as tf.Tensor2D, tf.tensor2d(zBase), tf.tensor1d(signs), tf.tensor1d(mask))
    )(tf.tensor2d(zTheta)).arraySync()
  );
  // d/dz relu(s(z−b))² / 2 = s · relu(s(z−b))
  assertEquals((g as number[][]).flat().map((x) => x + 0), [1, -1, 0, -1, 0, 0]);
});

Deno.test("signed hinge penalty: zero when features move away from misalignment", async () => {
  await initBackend("cpu");
  const p = tf.tidy(() =>
    signedHingePenalty(tf.tensor2d([[0, 2]]), tf.tensor2d([[1, 1]]), tf.tensor1d(signs), tf.tensor1d([1]))
      .dataSync()[0]
  );
  assertEquals(p, 0);
});

Deno.test("KL to the base: value on a hand-computed case, masked positions only", async () => {
  await initBackend("cpu");
  const value = tf.tidy(() => {
    // Position 0: base (0.5, 0.5) vs θ logits (0, ln 3) → θ probs (0.25, 0.75).
    // KL = 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 ln(4/3). Position 1 is masked out.
    const base = tf.log(tf.tensor3d([[[0.5, 0.5], [0.9, 0.1]]]));
    const logits = tf.tensor3d([[[0, Math.log(3)], [5, -5]]]);
    return klToBase(logits, base as tf.Tensor3D, tf.tensor2d([[1, 0]])).dataSync()[0];
  });
  assertAlmostEquals(value, 0.5 * Math.log(4 / 3), 1e-6);
});

Deno.test("LDIFS feature distance: value on a hand-computed case", async () => {
  await initBackend("cpu");
  const value = tf.tidy(() =>
    featureDistance(
      tf.tensor2d([[1, 2], [0, 0], [9, 9]]),
      tf.tensor2d([[0, 0], [1, 1], [0, 0]]),
      tf.tensor1d([1, 1, 0]),
    ).dataSync()[0]
  );
  // (1 + 4 + 1 + 1) / 2 unmasked rows
  assertAlmostEquals(value, 3.5, 1e-6);
});
