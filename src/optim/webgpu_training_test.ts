/**
 * Training on webgpu keeps every weight finite, including embedding rows no
 * token in the batch uses: tfjs-webgpu's segment sum (a gather's gradient)
 * left such rows as garbage, which AdamW turned into NaN weights.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend, probeWebGpuAdapter } from "../backend/backend.ts";
import { disposeParams, forward, initParams } from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
import { trainLoop } from "./loop.ts";

Deno.test({
  name: "AdamW training on webgpu keeps every weight finite, unused embedding rows included",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    if (!(await probeWebGpuAdapter())) {
      console.log("  skipped: no WebGPU adapter on this machine");
      await t.step({ name: "webgpu training (skipped: no adapter)", ignore: true, fn: () => {} });
      return;
    }
    await initBackend("webgpu");
    // The organism's width and vocabulary; the batch uses 32 of the 312 ids.
    const cfg = { vocabSize: 312, contextLength: 8, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256 };
    const params = initParams(cfg, 1);
    const tokens = tf.tensor2d(
      Int32Array.from({ length: 4 * 8 }, (_, i) => (i * 7919) % 312),
      [4, 8],
      "int32",
    );
    const mask = tf.onesLike(tokens).toFloat() as tf.Tensor2D;
    const history = await trainLoop({
      params,
      steps: 4,
      learningRate: () => 1e-4,
      nextBatch: () => null,
      loss: () => ({
        total: maskedNextTokenLoss(forward(params, cfg, tokens).logits!, tokens, mask),
        parts: {},
      }),
    });
    assertEquals(history.length, 4);
    for (const [k, p] of Object.entries(params)) {
      const values = await p.data();
      const bad = values.filter((x) => !Number.isFinite(x)).length;
      assertOk(bad === 0, `${k}: ${bad} of ${values.length} weights are not finite`);
    }
    disposeParams(params);
    tf.dispose([tokens, mask]);
    await initBackend("wasm");
  },
});
