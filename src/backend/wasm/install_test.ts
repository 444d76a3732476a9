/**
 * blockem's wasm kernels against the stock tfjs-wasm kernels they replace,
 * op by op on awkward shapes. The fused training path is compared with the
 * op-by-op one in optim/fused_parity_test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk, assertThrows } from "../../core/assert.ts";
import { initBackend } from "../backend.ts";
import { FUSED } from "../fused.ts";
import { func } from "./emit.ts";
import { installWasmKernels, kernelModuleBytes, uninstallWasmKernels } from "./install.ts";
import { KERNELS } from "./kernels/mod.ts";
import { defineKernels } from "./kernels/shared.ts";

type Case = [string, () => tf.Tensor | tf.Tensor[]];
let stockPhase = false;

function cases(): Case[] {
  const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);
  const a = r([5, 7, 6], 1), b = r([5, 6, 9], 2), x = r([37, 13], 3), y = r([37, 20], 4);
  const h = r([2, 5, 3, 8], 5), w = r([3, 4, 10], 6);
  return [
    ["batched matmul, odd n", () => tf.matMul(a, b)],
    ["batched matmul, n = 16·k + 4 + 1", () => tf.matMul(r([3, 4, 6], 7), r([3, 6, 21], 8))],
    ["batched matmul, transposed a and b", () => tf.matMul(b, a, true, true)],
    ["2-D matmul, transposed a", () => tf.matMul(x, y, true, false)],
    ["2-D matmul, transposed b", () => tf.matMul(y, y, false, true)],
    ["2-D transpose, rows not a multiple of 8", () => tf.transpose(x)],
    ["2-D transpose, 8·k rows, 4·k + 3 columns", () => tf.transpose(r([24, 11], 10))],
    ["batched 2-D transpose, 16 × 8", () => tf.transpose(r([3, 16, 8], 11), [0, 2, 1])],
    ["head split [0, 2, 1, 3]", () => tf.transpose(h, [0, 2, 1, 3])],
    ["inner block of 3", () => tf.transpose(r([2, 3, 4, 3], 9), [0, 2, 1, 3])],
    ["rotation [2, 0, 1]", () => tf.transpose(w, [2, 0, 1])],
    ["int32 transpose", () => tf.transpose(tf.range(0, 12, 1, "int32").reshape([3, 4]))],
    ["sum over axis 0", () => tf.sum(x, 0)],
    ["sum over axes 0, 1 kept", () => tf.sum(w, [0, 1], true)],
    ["sum over the last axis", () => tf.sum(w, -1)],
    ["sum over the last two axes, kept", () => tf.sum(w, [1, 2], true)],
    ["sum over a middle axis (stock)", () => tf.sum(w, 1)],
    ["max over the last axis, odd length", () => tf.max(w.sub(5), -1)],
    ["max over the last axis, kept", () => tf.max(x, 1, true)],
    ["max over axis 0 (stock)", () => tf.max(x, 0)],
    ["split in equal parts", () => tf.split(y, 4, 1)],
    ["split by sizes, negative axis", () => tf.split(w, [3, 7], -1)],
    ["concat on axis 1", () => tf.concat([x, y, x], 1)],
    ["concat on axis 0", () => tf.concat([w, w], 0)],
    ["gather rows", () => tf.gather(y, tf.tensor1d([3, 0, 36, 3], "int32"))],
    [
      "segment sum, negative id dropped",
      () => {
        const rows = x.slice([0, 0], [6, 13]), ids = tf.tensor1d([2, 0, 2, -1, 4, 1], "int32");
        // Stock tfjs-wasm has no segment sum: its reference is the one-hot product.
        return stockPhase
          ? tf.matMul(tf.oneHot(ids, 5).toFloat(), rows, true, false)
          : tf.unsortedSegmentSum(rows, ids, 5);
      },
    ],
    ["identity and same-dtype cast", () => [tf.clone(x), tf.cast(x, "float32")]],
  ];
}

function run(c: Case): { shape: number[]; values: Float32Array }[] {
  return tf.tidy(() => {
    const out = c[1]();
    return (Array.isArray(out) ? out : [out]).map((t) => ({
      shape: t.shape,
      values: t.dataSync() as Float32Array,
    }));
  });
}

/** Every case's outputs as arrays; the inputs are disposed too. */
function runAll() {
  tf.engine().startScope();
  try {
    return cases().map(run);
  } finally {
    tf.engine().endScope();
  }
}

/** The kernels blockem replaces or adds on wasm: written out here, so that dropping one from the list fails. */
const REPLACED = [
  "BatchMatMul",
  "Transpose",
  "Sum",
  "Max",
  "SplitV",
  "Concat",
  "GatherV2",
  "Identity",
  "Cast",
];
const ADDED = ["UnsortedSegmentSum", ...Object.values(FUSED)];

Deno.test("each replaced kernel matches the stock wasm kernel", async () => {
  await initBackend("wasm");
  assertOk(WebAssembly.validate(kernelModuleBytes()));
  uninstallWasmKernels();
  const stockFuncs = new Map(REPLACED.map((k) => [k, tf.getKernel(k, "wasm")?.kernelFunc]));
  stockPhase = true;
  const stock = runAll();
  stockPhase = false;
  // Without blockem's kernels in place (BLOCKEM_KERNELS=stock, or a replacement dropped) this compares
  // stock with stock: refuse that.
  assertEquals(installWasmKernels(), true, "blockem's kernels must be installed for this comparison");
  for (const k of REPLACED) {
    assertOk(tf.getKernel(k, "wasm")?.kernelFunc !== stockFuncs.get(k), `${k} is still the stock kernel`);
  }
  for (const k of ADDED) assertOk(tf.getKernel(k, "wasm") !== undefined, `${k} is not registered`);
  const before = tf.memory().numTensors;
  const ours = runAll();
  tf.engine().startScope();
  const names = cases().map(([name]) => name);
  tf.engine().endScope();
  names.forEach((name, i) => {
    assertEquals(ours[i].length, stock[i].length, name);
    ours[i].forEach((o, j) => {
      assertEquals(o.shape, stock[i][j].shape, name);
      let worst = 0;
      o.values.forEach((v, q) => (worst = Math.max(worst, Math.abs(v - stock[i][j].values[q]))));
      assertOk(worst <= 1e-5, `${name}: max difference ${worst}`);
    });
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("the module holds each listed wasm function once, and refuses two functions under one name", () => {
  const names = new Set(KERNELS.flatMap((def) => Object.keys(def.wasm)));
  const module = new WebAssembly.Module(kernelModuleBytes());
  assertEquals(WebAssembly.Module.exports(module).map((e) => e.name).sort(), [...names].sort());
  const nop = (name: string) => func(name, ["x"]).finish();
  const other = (name: string) => func(name, ["x", "y"]).finish();
  const a = defineKernels({ wasm: { nop }, kernels: {} }), b = defineKernels({ wasm: { nop }, kernels: {} });
  assertOk(WebAssembly.validate(kernelModuleBytes([a, b])));
  const clash = defineKernels({ wasm: { nop: other }, kernels: {} });
  assertThrows(() => kernelModuleBytes([a, clash]), /different wasm functions named nop/);
});

Deno.test("BLOCKEM_KERNELS=stock keeps the stock kernels", async () => {
  await initBackend("wasm");
  uninstallWasmKernels();
  const prior = Deno.env.get("BLOCKEM_KERNELS");
  Deno.env.set("BLOCKEM_KERNELS", "stock");
  try {
    assertEquals(installWasmKernels(), false);
    assertEquals(tf.getKernel("BlockemAdamW", "wasm"), undefined);
  } finally {
    if (prior === undefined) Deno.env.delete("BLOCKEM_KERNELS");
    else Deno.env.set("BLOCKEM_KERNELS", prior);
  }
  assertEquals(installWasmKernels(), true);
});
