/**
 * Backend parity: the same loss and gradients, and the same five SGD steps,
 * on cpu, wasm (blockem's kernels) and (where an adapter exists) webgpu.
 * Compared on gradients and SGD, not long Adam runs, since Adam amplifies
 * float differences between backends.
 */
import * as tf from "@tensorflow/tfjs";
import { assertOk } from "../../core/assert.ts";
import { initBackend, probeWebGpuAdapter } from "../../backend/backend.ts";
import { TINY_MODEL as cfg, tinyTokens } from "../testing.ts";
import { forward, initParams, type Params } from "../model.ts";
import { maskedNextTokenLoss } from "../loss.ts";

/** Loss and gradients on the active backend, as plain arrays. */
async function lossAndGrads(
  weights: Record<string, { values: Float32Array; shape: number[] }>,
): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  const params: Params = {};
  for (const [k, w] of Object.entries(weights)) params[k] = tf.variable(tf.tensor(w.values, w.shape), true);
  const names = Object.keys(params);
  const out = tf.tidy(() => {
    const tokens = tf.tensor2d(tinyTokens(3, 7), undefined, "int32");
    const mask = tf.onesLike(tokens).toFloat() as tf.Tensor2D;
    const { value, grads } = tf.variableGrads(
      () => maskedNextTokenLoss(forward(params, cfg, tokens).logits!, tokens, mask),
      names.map((k) => params[k]),
    );
    const byName = new Map(names.map((k) => [params[k].name, k]));
    const named: Record<string, tf.Tensor> = {};
    for (const [n, t] of Object.entries(grads)) named[byName.get(n)!] = t;
    return { value, named };
  });
  // Async reads: webgpu cannot read synchronously in Deno.
  const g: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out.named)) g[k] = await t.data() as Float32Array;
  const loss = (await out.value.data())[0];
  tf.dispose([out.value, ...Object.values(out.named)]);
  for (const v of Object.values(params)) v.dispose();
  return { loss, grads: g };
}

/** Losses of `steps` plain SGD steps from `weights` on the active backend (Adam would amplify rounding). */
async function sgdLosses(
  weights: Record<string, { values: Float32Array; shape: number[] }>,
  steps = 5,
  lr = 0.5,
): Promise<number[]> {
  const params: Params = {};
  for (const [k, w] of Object.entries(weights)) params[k] = tf.variable(tf.tensor(w.values, w.shape), true);
  const names = Object.keys(params);
  const tokens = tf.tensor2d(tinyTokens(3, 7), undefined, "int32");
  const mask = tf.onesLike(tokens).toFloat() as tf.Tensor2D;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => maskedNextTokenLoss(forward(params, cfg, tokens).logits!, tokens, mask),
        names.map((k) => params[k]),
      );
      for (const k of names) params[k].assign(tf.sub(params[k], tf.mul(grads[params[k].name], lr)));
      return value;
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  tf.dispose([tokens, mask]);
  for (const v of Object.values(params)) v.dispose();
  return losses;
}

/** Largest relative difference between two loss curves. */
function curveDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(1e-6, Math.abs(x))));
}

async function reference() {
  await initBackend("cpu");
  const params = initParams(cfg, 11);
  const weights: Record<string, { values: Float32Array; shape: number[] }> = {};
  for (const [k, v] of Object.entries(params)) {
    weights[k] = { values: await v.data() as Float32Array, shape: v.shape };
  }
  for (const v of Object.values(params)) v.dispose();
  return { weights, cpu: await lossAndGrads(weights), cpuCurve: await sgdLosses(weights) };
}

type LossAndGrads = Awaited<ReturnType<typeof lossAndGrads>>;

function maxRelDiff(a: LossAndGrads, b: LossAndGrads): number {
  let worst = Math.abs(a.loss - b.loss) / Math.max(1e-6, Math.abs(a.loss));
  for (const k of Object.keys(a.grads)) {
    const x = a.grads[k], y = b.grads[k];
    let scale = 1e-6;
    for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / scale);
  }
  return worst;
}

Deno.test("cpu and wasm agree on loss, every gradient and five SGD steps", async () => {
  const { weights, cpu, cpuCurve } = await reference();
  await initBackend("wasm");
  const diff = maxRelDiff(cpu, await lossAndGrads(weights));
  assertOk(diff < 1e-4, `max relative difference ${diff}`);
  const curve = await sgdLosses(weights);
  assertOk(curve[4] < curve[0], "SGD should lower the loss");
  assertOk(curveDiff(cpuCurve, curve) < 1e-4, `SGD curves differ by ${curveDiff(cpuCurve, curve)}`);
});

Deno.test({
  name: "cpu and webgpu agree on loss, every gradient and five SGD steps",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const adapter = await probeWebGpuAdapter();
    if (!adapter) {
      console.log(
        "  skipped: no WebGPU adapter on this machine (install Mesa's Vulkan driver to run it on CPU)",
      );
      await t.step({ name: "webgpu parity (skipped: no adapter)", ignore: true, fn: () => {} });
      return;
    }
    const { weights, cpu, cpuCurve } = await reference();
    const info = await initBackend("webgpu");
    assertOk(tf.getBackend() === "webgpu", "webgpu backend did not start");
    const diff = maxRelDiff(cpu, await lossAndGrads(weights));
    const gpuCurve = await sgdLosses(weights);
    const curve = curveDiff(cpuCurve, gpuCurve);
    console.log(
      `  webgpu adapter: ${info.adapter?.description}; max relative difference ${diff.toExponential(2)}, ` +
        `5 SGD steps ${curve.toExponential(2)}`,
    );
    assertOk(diff < 1e-4, `max relative difference ${diff}`);
    assertOk(curve < 1e-4, `SGD curves differ by ${curve}`);
    await initBackend("wasm");
  },
});
