import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../../core/assert.ts";
import { initBackend } from "../../backend/backend.ts";
import { plantedChecks } from "./planted.ts";

Deno.test("rerouting tests on known answers: each fires on its planted positive and stays silent on its null", async () => {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const outcomes = await plantedChecks();
  assertEquals(tf.memory().numTensors, before);
  assertEquals(
    outcomes.map((o) => `${o.hypothesis} ${o.case}: ${o.verdict.supported}`),
    [
      "H1 SAE drift positive: true",
      "H1 SAE drift null: false",
      "H2 other latents at the block layer positive: true",
      "H2 other latents at the block layer null: false",
      "H3 bypass through later layers positive: true",
      "H3 bypass through later layers null: false",
      "H3 bypass through later layers null: false",
    ],
  );
  for (const o of outcomes) console.log(o.hypothesis, o.case, JSON.stringify(o.verdict.evidence));
});
