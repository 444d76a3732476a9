import type * as tf from "@tensorflow/tfjs";
import { assertEquals } from "../../../core/assert.ts";
import { reduceKernels } from "./reduce.ts";
import type { KernelContext } from "./shared.ts";

/** The adapter of `name` with wasm exports that record their calls instead of computing. */
function adapterWithSpies(name: "Sum" | "Max") {
  const calls: string[] = [];
  const spy = (fn: string) => () => void calls.push(fn);
  const ctx = {
    exports: { sumOuter: spy("sumOuter"), rowSum: spy("rowSum"), rowMax: spy("rowMax") },
    backend: {} as never,
    offset: () => 0,
    float32: (shape: number[]) => ({ shape, dtype: "float32", dataId: {} }) as unknown as tf.TensorInfo,
    stock: () => () => void calls.push("stock") as never,
    sgemm: null,
    view: () => new Float32Array(0),
  } as unknown as KernelContext<never>;
  return { kernel: reduceKernels.kernels[name](ctx), calls };
}

const x = { shape: [4, 6], dtype: "float32", dataId: {} } as unknown as tf.TensorInfo;

Deno.test("Max reads tfjs's reductionIndices: a trailing-axis max runs rowMax, a leading-axis one the stock kernel", () => {
  const { kernel, calls } = adapterWithSpies("Max");
  kernel({ inputs: { x }, backend: null, attrs: { reductionIndices: [-1], keepDims: false } });
  kernel({ inputs: { x }, backend: null, attrs: { reductionIndices: 0, keepDims: false } });
  assertEquals(calls, ["rowMax", "stock"]);
});

Deno.test("Sum reads axis: leading axes run sumOuter, trailing ones rowSum", () => {
  const { kernel, calls } = adapterWithSpies("Sum");
  kernel({ inputs: { x }, backend: null, attrs: { axis: 0, keepDims: false } });
  kernel({ inputs: { x }, backend: null, attrs: { axis: [1], keepDims: true } });
  assertEquals(calls, ["sumOuter", "rowSum"]);
});
