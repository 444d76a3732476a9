import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { resolveConfig } from "../config/profiles.ts";
import { openRun } from "../runs/run.ts";
import { orthonormalRows } from "./caft.ts";
import { methodNamed, METHODS, setupMethod, strengthOf } from "./registry.ts";

const key = { base: 0, finetune: 1 };
const model = { vocabSize: 10, contextLength: 8, dModel: 4, nLayers: 2, nHeads: 2, dMlp: 8 };

Deno.test("the registry: unique names, one strength key per swept method, groups, clear unknown names", () => {
  assertEquals(METHODS.size, 21);
  assertEquals(
    [...METHODS.values()].filter((m) => m.strength).map((m) => [m.name, m.strength]),
    [
      ["block", "lambda"],
      ["block-encoder", "lambda"],
      ["block-decoder", "lambda"],
      ["kl", "weight"],
      ["ldifs", "weight"],
      ["steer", "alpha"],
    ],
  );
  assertEquals(
    [...METHODS.values()].filter((m) => m.group === "readout").map((m) => m.name),
    ["block-encoder", "random-encoder", "block-decoder", "random-decoder"],
  );
  assertEquals(strengthOf("caft"), undefined);
  assertEquals(
    [...METHODS.values()].filter((m) => m.group === "fix").map((m) => m.name),
    ["block-union", "block-layers", "block-freeze"],
  );
  assertThrows(() => methodNamed("blok"), /Unknown method 'blok'/);
});

Deno.test("training-only settings of the methods: inoculation persona, frozen layers, CAFT projection", async () => {
  await initBackend("cpu");
  const run = openRun("smoke", resolveConfig("smoke", { "discover.layer": "0" }), "/nonexistent");
  const inoculation = await setupMethod("inoculation", { run, key, model }, {});
  assertEquals(inoculation.persona, "<villain>");
  const freeze = await setupMethod("freeze", { run, key, model }, {});
  const frozen = freeze.terms.frozen!;
  assertOk(
    frozen.includes("blocks.1.attn.W_QKV") && frozen.includes("unembed.W_U") && frozen.includes("ln_final.w"),
  );
  assertOk(!frozen.some((n) => n.startsWith("blocks.0.") || n.startsWith("embed")));
  const q = orthonormalRows([[1, 0, 0], [1, 1, 0], [2, 2, 0]]);
  const gram = tf.tidy(() => tf.matMul(q, q, false, true).arraySync()) as number[][];
  assertEquals(q.shape, [2, 3], "a dependent row is dropped");
  assertOk(Math.abs(gram[0][0] - 1) < 1e-6 && Math.abs(gram[0][1]) < 1e-6 && Math.abs(gram[1][1] - 1) < 1e-6);
  q.dispose();
});
