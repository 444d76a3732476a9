/**
 * The wasm backend's matrix products on native BLAS against the same
 * products on blockem's wasm kernels and XNNPACK: every transpose, a batch,
 * a dense layer's bias, and a fixed-seed training curve.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../../../core/assert.ts";
import { initBackend } from "../../backend.ts";
import { nativeBlas } from "../../native/openblas.ts";
import { installedBlas, installWasmKernels, uninstallWasmKernels } from "../install.ts";
import { NATIVE_MIN_BATCHED_MACS, productShape, wantsNative } from "./native_matmul.ts";

const blas = nativeBlas();

/** The products of one pass, as host arrays. */
function products(seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomNormal([96, 40], 0, 1, "float32", seed);
    const w = tf.randomNormal([40, 72], 0, 1, "float32", seed + 1);
    const bias = tf.randomNormal([72], 0, 1, "float32", seed + 2);
    const q = tf.randomNormal([3, 80, 64], 0, 1, "float32", seed + 3);
    const k = tf.randomNormal([3, 72, 64], 0, 1, "float32", seed + 4);
    return [
      tf.matMul(x, w),
      tf.matMul(w, x, true, true),
      tf.matMul(x, x, true, false),
      tf.matMul(x, x, false, true),
      tf.fused.matMul({ a: x, b: w, bias }),
      // 80·64·72 multiply-adds per product: above the batched threshold.
      tf.matMul(q, k, false, true),
    ].map((t) => t.dataSync() as Float32Array);
  });
}

Deno.test({
  name: "native BLAS products agree with the wasm path within 1e-5 relative, and really ran on BLAS",
  ignore: !blas.ok,
  async fn() {
    await initBackend("wasm");
    uninstallWasmKernels();
    assertEquals(installWasmKernels({ blas: false }), true, "blockem's kernels must be installed");
    assertEquals(installedBlas(), null);
    const wasm = products(7);
    uninstallWasmKernels();
    installWasmKernels();
    assertOk(installedBlas() !== null, "BLAS should be in use");
    const callsBefore = blas.ok ? blas.calls : 0;
    const before = tf.memory().numTensors;
    const native = products(7);
    assertEquals(tf.memory().numTensors, before);
    // One call per 2-D product and per batch element of the batched one.
    assertEquals((blas.ok ? blas.calls : 0) - callsBefore, 5 + 3);
    native.forEach((values, i) => {
      const scale = Math.max(...wasm[i].map(Math.abs));
      const worst = Math.max(...values.map((v, j) => Math.abs(v - wasm[i][j])));
      assertOk(worst / scale < 1e-5, `product ${i}: relative difference ${worst / scale}`);
    });
  },
});

Deno.test("which products go to BLAS: every 2-D one, batched ones from the threshold up, never a broadcast", () => {
  const t = (shape: number[]) => ({ dataId: {}, shape, dtype: "float32" }) as unknown as tf.TensorInfo;
  assertEquals(productShape(t([5, 3]), t([4, 3]), false, true), { batch: 1, m: 5, k: 3, n: 4 });
  assertEquals(productShape(t([2, 3, 5]), t([2, 3, 4]), true, false), { batch: 2, m: 5, k: 3, n: 4 });
  assertEquals(productShape(t([2, 5, 3]), t([1, 3, 4]), false, false), undefined);
  assertEquals(productShape(t([5, 3]), t([2, 3, 4]), false, false), undefined);
  assertOk(wantsNative({ batch: 1, m: 2, k: 2, n: 2 }));
  assertOk(!wantsNative({ batch: 128, m: 64, k: 16, n: 64 }), "attention's per-head products stay on wasm");
  assertOk(wantsNative({ batch: 2, m: 64, k: 64, n: NATIVE_MIN_BATCHED_MACS / 4096 }));
});
