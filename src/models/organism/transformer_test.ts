import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertOk, assertThrows } from "../../core/assert.ts";
import { initBackend } from "../../backend/backend.ts";
import { TINY_MODEL as cfg, tinyTokens } from "../testing.ts";
import { disposeParams, forward, initParams, siteNames } from "../model.ts";
import { gelu } from "../ops.ts";
import { installWasmKernels, uninstallWasmKernels } from "../../backend/wasm/install.ts";

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

Deno.test("forward returns logits and every cached site with the right shapes", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 1);
  tf.tidy(() => {
    const tokens = tf.tensor2d(tinyTokens(), undefined, "int32");
    const { logits, cache } = forward(params, cfg, tokens, { cache: siteNames(cfg) });
    assertEquals(logits!.shape, [2, 6, cfg.vocabSize]);
    assertEquals(cache.size, siteNames(cfg).length);
    for (const t of cache.values()) assertEquals(t.shape, [2, 6, cfg.dModel]);
    // The residual stream adds up: resid_post = resid_mid + mlp_out = resid_pre + attn_out + mlp_out.
    const pre = cache.get("blocks.1.resid_pre")!, attn = cache.get("blocks.1.attn_out")!;
    const mlp = cache.get("blocks.1.mlp_out")!, post = cache.get("blocks.1.resid_post")!;
    assertOk(maxAbsDiff(post, pre.add(attn).add(mlp)) < 1e-5);
    assertOk(maxAbsDiff(cache.get("blocks.0.resid_post")!, pre) === 0);
  });
  disposeParams(params);
});

Deno.test("attention is causal: later tokens do not change earlier activations", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 2);
  tf.tidy(() => {
    const a = tinyTokens(1, 6), b = [a[0].slice(0, 5).concat([(a[0][5] + 1) % 11])];
    const site = "blocks.1.resid_post";
    const ha = forward(params, cfg, tf.tensor2d(a, undefined, "int32"), { cache: [site] }).cache.get(site)!;
    const hb = forward(params, cfg, tf.tensor2d(b, undefined, "int32"), { cache: [site] }).cache.get(site)!;
    assertOk(maxAbsDiff(ha.slice([0, 0, 0], [1, 5, -1]), hb.slice([0, 0, 0], [1, 5, -1])) < 1e-6);
    assertOk(maxAbsDiff(ha.slice([0, 5, 0], [1, 1, -1]), hb.slice([0, 5, 0], [1, 1, -1])) > 1e-4);
  });
  disposeParams(params);
});

Deno.test("interventions: add, project out and clamp act at their site and downstream", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 3);
  tf.tidy(() => {
    const tokens = tf.tensor2d(tinyTokens(), undefined, "int32");
    const site = "blocks.0.resid_post";
    const d = tf.tensor1d([1, 0, 0, 0, 0, 0, 0, 0]);
    const clean = forward(params, cfg, tokens, { cache: [site] });
    const h = clean.cache.get(site)!;

    const added = forward(params, cfg, tokens, {
      cache: [site],
      interventions: [{ kind: "add", site, direction: d, scale: 2 }],
    });
    assertOk(maxAbsDiff(added.cache.get(site)!, h.add(d.mul(2))) < 1e-6);
    assertOk(maxAbsDiff(added.logits!, clean.logits!) > 1e-4, "steering must change the logits");

    const projected = forward(params, cfg, tokens, {
      cache: [site],
      interventions: [{ kind: "project_out", site, directions: d.expandDims(0) as tf.Tensor2D }],
    });
    assertOk(tf.max(tf.abs(projected.cache.get(site)!.slice([0, 0, 0], [-1, -1, 1]))).dataSync()[0] < 1e-6);

    const clamped = forward(params, cfg, tokens, {
      cache: [site],
      interventions: [{ kind: "clamp", site, direction: d, value: 3 }],
    });
    const proj = clamped.cache.get(site)!.slice([0, 0, 0], [-1, -1, 1]);
    assertAlmostEquals(tf.min(proj).dataSync()[0], 3, 1e-5);
    assertAlmostEquals(tf.max(proj).dataSync()[0], 3, 1e-5);

    const masked = forward(params, cfg, tokens, {
      cache: [site],
      interventions: [{
        kind: "add",
        site,
        direction: d,
        scale: 2,
        positions: tf.tensor2d([[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]),
      }],
    });
    const delta = masked.cache.get(site)!.sub(h).abs().sum(-1).arraySync() as number[][];
    assertAlmostEquals(delta[0][0], 2, 1e-5);
    assertAlmostEquals(delta[0][1] + delta[1][0], 0, 1e-6);
  });
  disposeParams(params);
});

Deno.test("stopAt skips the rest of the model; unknown sizes are refused", async () => {
  await initBackend("wasm");
  const params = initParams(cfg, 4);
  tf.tidy(() => {
    const r = forward(params, cfg, tf.tensor2d(tinyTokens(), undefined, "int32"), {
      cache: ["blocks.0.resid_post"],
      stopAt: "blocks.0.resid_post",
    });
    assertEquals(r.logits, null);
    assertOk(r.cache.has("blocks.0.resid_post"));
  });
  assertThrows(
    () => forward(params, cfg, tf.zeros([1, 9], "int32") as tf.Tensor2D),
    /exceeds context length/,
  );
  disposeParams(params);
  assertThrows(() => initParams({ ...cfg, nHeads: 3 }, 1), /divisible/);
});

Deno.test("GELU in its sigmoid form equals the tanh form, value and gradient, on the fused and the stock path", async () => {
  await initBackend("wasm");
  const xs = Array.from({ length: 41 }, (_, i) => -6 + 0.3 * i);
  const c = Math.sqrt(2 / Math.PI), a = 0.044715;
  // The tanh form 0.5x(1 + tanh(c(x + a x³))) and its derivative, in float64.
  const want = xs.map((x) => 0.5 * x * (1 + Math.tanh(c * (x + a * x ** 3))));
  const wantGrad = xs.map((x) => {
    const t = Math.tanh(c * (x + a * x ** 3));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * a * x * x);
  });
  for (const fused of [true, false]) {
    if (fused) installWasmKernels();
    else uninstallWasmKernels();
    const before = tf.memory().numTensors;
    const x = tf.tensor1d(xs);
    const [value, grad] = tf.tidy(() => [gelu(x), tf.grad((t: tf.Tensor) => gelu(t))(x)]);
    const [got, gotGrad] = [await value.data(), await grad.data()];
    tf.dispose([x, value, grad]);
    assertEquals(tf.memory().numTensors, before);
    xs.forEach((_, i) => {
      assertOk(Math.abs(got[i] - want[i]) < 2e-6, `fused ${fused}, x ${xs[i]}: ${got[i]} vs ${want[i]}`);
      assertOk(
        Math.abs(gotGrad[i] - wantGrad[i]) < 2e-5,
        `fused ${fused}, x ${xs[i]}: ${gotGrad[i]} vs ${wantGrad[i]}`,
      );
    });
  }
  installWasmKernels();
});
