/**
 * The fused wasm training path (blockem's kernels: LayerNorm, GELU, AdamW,
 * matmuls, transposes, sums) against the op-by-op path on tfjs's stock
 * kernels: the same gradients, and the same fixed-seed loss curve.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { fusedKernelsActive } from "../backend/fused.ts";
import { installWasmKernels, uninstallWasmKernels } from "../backend/wasm/install.ts";
import { nativeBlas } from "../backend/native/openblas.ts";
import { disposeParams, forward, initParams, type ModelConfig } from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
import { trainLoop } from "./loop.ts";

/**
 * Step-0 gradients, then the losses of a short run of the project's own
 * training loop (AdamW), for a small transformer on a fixed batch.
 */
async function trainCurve(steps: number) {
  const cfg: ModelConfig = { vocabSize: 53, contextLength: 24, dModel: 32, nLayers: 2, nHeads: 4, dMlp: 64 };
  const params = initParams(cfg, 3);
  const tokens = tf.tensor2d(
    Int32Array.from({ length: 6 * 21 }, (_, i) => (i * 31 + (i >> 2)) % 53),
    [6, 21],
    "int32",
  );
  const mask = tf.tensor2d(Float32Array.from({ length: 6 * 21 }, (_, i) => (i % 21 > 2 ? 1 : 0)), [6, 21]);
  const loss = () => maskedNextTokenLoss(forward(params, cfg, tokens).logits!, tokens, mask);
  const grads0: Record<string, Float32Array> = {};
  const { value, grads } = tf.variableGrads(loss);
  for (const [k, p] of Object.entries(params)) grads0[k] = await grads[p.name].data() as Float32Array;
  tf.dispose([value, ...Object.values(grads)]);
  const history = await trainLoop({
    params,
    steps,
    learningRate: () => 3e-3,
    nextBatch: () => null,
    loss: () => {
      const total = loss();
      return { total, parts: {} };
    },
  });
  disposeParams(params);
  tf.dispose([tokens, mask]);
  return { losses: history.map((h) => h.loss), grads0 };
}

Deno.test("the fused path and the stock path agree: gradients, and a 40-step loss curve within 1e-4", async () => {
  await initBackend("wasm");
  uninstallWasmKernels();
  assertEquals(fusedKernelsActive(), false);
  const stock = await trainCurve(40);
  // Under BLOCKEM_KERNELS=stock both runs would take the stock path: refuse that.
  assertEquals(installWasmKernels(), true, "blockem's kernels must be installed for this comparison");
  assertEquals(fusedKernelsActive(), true);
  const before = tf.memory().numTensors;
  const fused = await trainCurve(40);
  assertEquals(tf.memory().numTensors, before);
  for (const [k, g] of Object.entries(stock.grads0)) {
    const scale = Math.max(1e-6, ...g.map(Math.abs));
    const worst = Math.max(...g.map((v, i) => Math.abs(v - fused.grads0[k][i])));
    assertOk(worst / scale < 1e-5, `${k}: relative gradient difference ${worst / scale}`);
  }
  assertOk(stock.losses[39] < stock.losses[0] - 1, "the run should learn");
  stock.losses.forEach((l, i) =>
    assertOk(Math.abs(l - fused.losses[i]) < 1e-4, `step ${i}: ${l} vs ${fused.losses[i]}`)
  );
});

Deno.test({
  name: "matrix products on native BLAS: the same gradients and 40-step loss curve as on wasm, within 1e-4",
  ignore: !nativeBlas().ok,
  async fn() {
    await initBackend("wasm");
    uninstallWasmKernels();
    assertEquals(installWasmKernels({ blas: false }), true, "blockem's kernels must be installed");
    const wasm = await trainCurve(40);
    uninstallWasmKernels();
    installWasmKernels();
    const blas = nativeBlas();
    const calls = blas.ok ? blas.calls : 0;
    const native = await trainCurve(40);
    assertOk(blas.ok && blas.calls > calls + 40, "the BLAS run should compute its products on BLAS");
    for (const [k, g] of Object.entries(wasm.grads0)) {
      const scale = Math.max(1e-6, ...g.map(Math.abs));
      const worst = Math.max(...g.map((v, i) => Math.abs(v - native.grads0[k][i])));
      assertOk(worst / scale < 1e-5, `${k}: relative gradient difference ${worst / scale}`);
    }
    wasm.losses.forEach((l, i) =>
      assertOk(Math.abs(l - native.losses[i]) < 1e-4, `step ${i}: ${l} vs ${native.losses[i]}`)
    );
  },
});
