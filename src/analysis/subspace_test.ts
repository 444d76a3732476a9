import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { applyInterventions } from "../models/interventions.ts";
import { bestCosines, meanRow, orthonormalBasis, shiftPatch, spanShare } from "./subspace.ts";

Deno.test("orthonormalBasis spans the rows and drops dependent ones", () => {
  const basis = orthonormalBasis([[1, 1, 0], [2, 2, 0], [1, 0, 0]]);
  assertEquals(basis.length, 2);
  assertAlmostEquals(basis[0].reduce((s, x, j) => s + x * basis[1][j], 0), 0, 1e-12);
  assertAlmostEquals(spanShare([3, -1, 0], basis), 1, 1e-12);
  assertAlmostEquals(spanShare([0, 0, 5], basis), 0, 1e-12);
  assertAlmostEquals(spanShare([1, 0, 1], basis), 0.5, 1e-12);
});

Deno.test("bestCosines finds each row's closest match up to sign", () => {
  const got = bestCosines([[1, 0], [1, 1]], [[-2, 0], [0, 3]]);
  assertAlmostEquals(got[0], 1, 1e-12);
  assertAlmostEquals(got[1], Math.SQRT1_2, 1e-12);
});

Deno.test("shiftPatch removes exactly the shift's component inside the span", async () => {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const basis = orthonormalBasis([[1, 0, 0], [0, 1, 1]]);
  const shift = [2, 3, -1];
  const iv = shiftPatch("s", basis, shift)!;
  const out = tf.tidy(() =>
    applyInterventions(tf.tensor3d([[[5, -1, 4], [0, 0, 9]]]), [iv]).arraySync() as number[][][]
  );
  iv.direction.dispose();
  // Inside the span: (2, 0, 0) + (0, 1, 1); the patch subtracts it at every position.
  assertEquals(out[0].map((r) => r.map((x) => Math.round(x * 1e5) / 1e5)), [[3, -2, 3], [-2, -1, 8]]);
  assertEquals(shiftPatch("s", [[0, 1, -1].map((x) => x / Math.SQRT2)], [1, 2, 2]), null);
  assertEquals(meanRow([[2, 1], [0, 3]]), [1, 2]);
  assertOk(tf.memory().numTensors === before);
});
