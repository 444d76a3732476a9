import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { TINY_MODEL as cfg } from "./testing.ts";
import { disposeParams, initParams } from "./model.ts";
import { transformerLM } from "./language_model.ts";

Deno.test("the transformer's target and per-position read-outs equal picks from the full log-probabilities", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    const params = initParams(cfg, 5);
    const lm = transformerLM(params, cfg);
    const batch = 3, seq = 7, v = cfg.vocabSize;
    const tokens = Int32Array.from({ length: batch * seq }, (_, i) => (i * 5 + 2) % v);
    const before = tf.memory().numTensors;
    const full = await lm.nextTokenLogProbs(tokens, batch, seq);
    const targets = await lm.targetLogProbs!(tokens, batch, seq);
    const positions = Int32Array.from([6, 0, 3]);
    const at = await lm.logProbsAt!(tokens, batch, seq, positions);
    assertEquals(tf.memory().numTensors, before);
    let worst = 0;
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < seq; t++) {
        const want = t < seq - 1 ? full[(b * seq + t) * v + tokens[b * seq + t + 1]] : 0;
        worst = Math.max(worst, Math.abs(targets[b * seq + t] - want));
      }
      for (let k = 0; k < v; k++) {
        worst = Math.max(worst, Math.abs(at[b * v + k] - full[(b * seq + positions[b]) * v + k]));
      }
    }
    assertOk(worst < 1e-5, `${backend}: largest difference ${worst}`);
    disposeParams(params);
  }
});
