import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { disposeParams } from "../models/model.ts";
import { setDirection, type SteeringMeasure, validateCandidates } from "./induce_repair.ts";
import { discoveryOnlyLatents, selectLatents } from "./latent_selection.ts";
import { initSae, preActivations, type SaeConfig } from "../sae/sae.ts";
import { randomLatentSet, SaeLatentFeatures } from "./sae_features.ts";
import { type LatentShift, latentShifts, topDeltaPool } from "./top_delta.ts";

const shift = (latent: number, delta: number): LatentShift => ({
  latent,
  meanBase: 0,
  meanTuned: delta,
  delta,
});

Deno.test("top-Δ pools the N largest rises and falls, largest |Δ| first, ties by index", () => {
  const shifts = [shift(0, 0.1), shift(1, -0.5), shift(2, 0.9), shift(3, -0.2), shift(4, 0.5), shift(5, 0)];
  assertEquals(topDeltaPool(shifts, 2).map((s) => s.latent), [2, 1, 4, 3]);
  assertEquals(topDeltaPool(shifts, 1).map((s) => s.latent), [2, 1]);
});

Deno.test("latent shifts are the difference of mean SAE activations", async () => {
  await initBackend("wasm");
  const cfg: SaeConfig = { site: "s", dIn: 2, dSae: 3, k: 2, inputScale: 1 };
  const p = initSae(cfg, 1);
  p.W_enc.assign(tf.tensor2d([[1, 0, -1], [0, 1, 0]]));
  const shifts = await latentShifts(p, cfg, [[1, 0], [1, 0]], [[2, 1], [2, 1]]);
  assertEquals(shifts.map((s) => s.delta), [1, 1, 0]);
  disposeParams(p);
});

/** A fake judge: EM moves with the steering scale along direction [1, 0]; big pushes are incoherent. */
const fakeMeasure: SteeringMeasure = (model, steer) => {
  const base = model === "base" ? 0.05 : 0.6;
  if (!steer) return Promise.resolve({ em: base, incoherence: 0.02 });
  const along = steer.direction[0] * steer.scale;
  return Promise.resolve({
    em: Math.min(1, Math.max(0, base + 0.1 * along)),
    incoherence: 0.02 + (Math.abs(steer.scale) > 2.5 ? 0.5 : 0),
  });
};

Deno.test("induce and repair: gains in the intended direction, strengths over budget rejected", async () => {
  const pool = [shift(7, 1), shift(8, -1), shift(9, 1)];
  const dirs = [[1, 0], [-1, 0], [0, 1]];
  const { reference, candidates } = await validateCandidates(pool, dirs, [1, 2, 3], 0.1, fakeMeasure);
  assertEquals(reference.tuned.em, 0.6);
  const [a, b, c] = candidates;
  // K+ latent along [1,0]: induce +0.1·α, repair −0.1·α; α = 3 is over budget, so best is α = 2.
  assertOk(Math.abs(a.induceGain - 0.2) < 1e-12 && Math.abs(a.repairGain - 0.2) < 1e-12);
  assertEquals(a.induce.map((t) => t.withinBudget), [true, true, false]);
  // K− latent: steered the other way, so the same gains.
  assertEquals(b.sign, -1);
  assertOk(Math.abs(b.score - 0.4) < 1e-12);
  // A direction the judge does not read scores nothing.
  assertEquals(c.score, 0);
  const again = await validateCandidates(pool, dirs, [1, 2, 3], 0.1, fakeMeasure);
  assertEquals(again, { reference, candidates }, "validation must be deterministic");
});

Deno.test("ranked selection keeps the k best passing latents and splits them by sign", async () => {
  const pool = [shift(1, 1), shift(2, -1), shift(3, 1), shift(4, 0.5)];
  const { candidates } = await validateCandidates(
    pool,
    [[1, 0], [-1, 0], [0, 1], [0.5, 0]],
    [1, 2],
    0.1,
    fakeMeasure,
  );
  const sel = selectLatents("s", candidates, 2, 0.05);
  assertEquals(sel.latents, [1, 2]);
  assertEquals(sel.kPlus, [1]);
  assertEquals(sel.kMinus, [2]);
  assertEquals(selectLatents("s", candidates, 10, 0.05).latents, [1, 2, 4]);
  assertThrows(() => selectLatents("s", candidates, 2, 5), /No candidate latent passed/);
  assertEquals(discoveryOnlyLatents("s", pool, 3).latents, [1, 2, 3]);
});

Deno.test("SAE latent features are relu of the chosen pre-activations; random latents avoid the chosen ones", async () => {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const cfg: SaeConfig = { site: "s", dIn: 4, dSae: 6, k: 2, inputScale: 1.5 };
  const p = initSae(cfg, 3, [0.1, 0, 0, -0.1]);
  const f = new SaeLatentFeatures(p, cfg, { site: "s", latents: [4, 1], signs: [1, -1] });
  const h = tf.randomNormal([5, 4], 0, 1, "float32", 9) as tf.Tensor2D;
  const zT = f.encode(h), preT = tf.tidy(() => tf.relu(preActivations(p, cfg, h)));
  const z = await zT.array(), pre = await preT.array() as number[][];
  tf.dispose([zT, preT]);
  z.forEach((row, i) => {
    assertOk(Math.abs(row[0] - pre[i][4]) < 1e-5 && Math.abs(row[1] - pre[i][1]) < 1e-5);
  });
  f.dispose();
  h.dispose();
  disposeParams(p);
  assertEquals(tf.memory().numTensors, before);
  const r = randomLatentSet({ site: "s", latents: [4, 1], signs: [1, -1] }, 6, [4, 1, 0], 11);
  assertOk(r.latents.every((l) => ![4, 1, 0].includes(l)));
  assertEquals(r.signs, [1, -1]);
  assertEquals(randomLatentSet({ site: "s", latents: [4, 1], signs: [1, -1] }, 6, [4, 1, 0], 11), r);
  assertThrows(() => new SaeLatentFeatures(p, cfg, { site: "other", latents: [1], signs: [1] }), /SAE reads/);
});

Deno.test("a latent set steers along the normalised sign-weighted sum of its directions", () => {
  const u = setDirection([[1, 0], [0, 1]], [1, -1]);
  assertOk(Math.abs(u[0] - Math.SQRT1_2) < 1e-12 && Math.abs(u[1] + Math.SQRT1_2) < 1e-12);
  assertThrows(() => setDirection([[1, 0], [1, 0]], [1, -1]), /cancel out/);
});
