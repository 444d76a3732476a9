/**
 * Installs blockem's hand-written WebAssembly SIMD kernels on tfjs's wasm
 * backend: one module built from every definition in `kernels/mod.ts`,
 * instantiated on the backend's own memory (so nothing is copied), and each
 * definition's tfjs kernels registered over the stock ones or added.
 *
 * Replaced, where tfjs-wasm is slow (other shapes and dtypes fall through
 * to the stock kernels): `BatchMatMul` with a batch, `Transpose` of two
 * swapped axis groups, `Sum` over leading or trailing axes, `SplitV`,
 * `Concat` and `GatherV2` as block copies, and `Identity` and same-dtype
 * `Cast` without a copy. `Max` is registered too but always falls through
 * (see `kernels/reduce.ts`). Added: `UnsortedSegmentSum` (a gather's
 * gradient; tfjs-wasm has none) and the fused ops of `../fused.ts`
 * (LayerNorm and its gradient, GELU's argument and gradient, the softmax
 * gradient, AdamW).
 *
 * Where a native BLAS is loaded (`../native/openblas.ts`), `BatchMatMul`
 * and `_FusedMatMul` run their large products on it instead.
 *
 * Summation order differs from the stock kernels, so results agree to float
 * rounding, not bit for bit; `BLOCKEM_KERNELS=stock` keeps the stock
 * kernels (for comparisons).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { emitModule } from "./emit.ts";
import { KERNELS } from "./kernels/mod.ts";
import { type BlasInfo, nativeBlas, type Sgemm } from "../native/openblas.ts";
import {
  type Emitter,
  type ExportsOf,
  type KernelContext,
  type KernelDefinition,
  type KernelFn,
  size,
  type WasmBackendLike,
} from "./kernels/shared.ts";

/** The module of all the definitions' wasm functions; a function listed by several definitions is emitted once. */
export function kernelModuleBytes(
  definitions: readonly KernelDefinition[] = KERNELS,
): Uint8Array<ArrayBuffer> {
  const emitters = new Map<string, Emitter>();
  for (const def of definitions) {
    for (const [name, emit] of Object.entries(def.wasm)) {
      if (emitters.has(name) && emitters.get(name) !== emit) {
        throw new Error(`Two kernel definitions emit different wasm functions named ${name}`);
      }
      emitters.set(name, emit);
    }
  }
  return emitModule([...emitters].map(([name, emit]) => emit(name)));
}

/** Each definition's tfjs kernels, built with its own exports; tfjs-wasm's kernels are still in place. */
function buildKernels(
  backend: WasmBackendLike,
  instance: WebAssembly.Instance,
  sgemm: Sgemm | null,
): [string, KernelFn][] {
  const memory = backend.wasm.asm.memory;
  const base: Omit<KernelContext<unknown>, "exports"> = {
    backend,
    offset: (t) => backend.dataIdMap.get(t.dataId).memoryOffset,
    float32: (shape) => backend.makeOutput(shape, "float32"),
    stock: (name) => {
      const config = tf.getKernel(name, "wasm");
      if (!config) throw new Error(`tfjs-wasm has no ${name} kernel`);
      return config.kernelFunc as unknown as KernelFn;
    },
    sgemm,
    view: (t, length) =>
      new Float32Array(memory.buffer, backend.dataIdMap.get(t.dataId).memoryOffset, length ?? size(t.shape)),
  };
  const built = new Map<string, KernelFn>();
  for (const def of KERNELS) {
    const exports = Object.fromEntries(
      Object.keys(def.wasm).map((name) => {
        const f = instance.exports[name];
        if (typeof f !== "function") throw new Error(`The kernel module does not export ${name}`);
        return [name, f];
      }),
    ) as ExportsOf<typeof def.wasm>;
    for (const [kernelName, make] of Object.entries(def.kernels)) {
      if (built.has(kernelName)) throw new Error(`Two kernel definitions register ${kernelName}`);
      built.set(kernelName, make({ ...base, exports }));
    }
  }
  return [...built];
}

let installed = false;
/** The BLAS the installed kernels call, or null. */
let blasInUse: BlasInfo | null = null;
/** The stock kernels replaced by `installWasmKernels`, for `uninstallWasmKernels`. */
const replaced: tf.KernelConfig[] = [];
const added: string[] = [];

/** The native BLAS the installed kernels run their matrix products on; null when none is loaded or not installed. */
export function installedBlas(): BlasInfo | null {
  return installed ? blasInUse : null;
}

/**
 * Install the kernels over the wasm backend's stock ones. Call after
 * `tf.setBackend("wasm")` is ready; idempotent. Returns false (and
 * installs nothing) when `BLOCKEM_KERNELS=stock`. `options.blas: false`
 * keeps the products off native BLAS even where one is loaded (comparisons).
 */
export function installWasmKernels(options: { blas?: boolean } = {}): boolean {
  if (Deno.env.get("BLOCKEM_KERNELS") === "stock") return false;
  if (installed) return true;
  const backend = tf.findBackend("wasm") as unknown as WasmBackendLike | null;
  if (!backend?.wasm?.asm?.memory) throw new Error("installWasmKernels: the wasm backend is not ready");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelModuleBytes()), {
    env: { memory: backend.wasm.asm.memory },
  });
  const native = options.blas === false ? undefined : nativeBlas();
  blasInUse = native?.ok ? native.info : null;
  // All adapters are built before any is registered: they take the stock kernels they fall back to.
  for (const [name, kernelFunc] of buildKernels(backend, instance, native?.ok ? native.sgemm : null)) {
    const previous = tf.getKernel(name, "wasm");
    if (previous) {
      replaced.push(previous);
      tf.unregisterKernel(name, "wasm");
    }
    added.push(name);
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
  }
  installed = true;
  return true;
}

/** Put the stock kernels back (tests compare both paths in one process). */
export function uninstallWasmKernels(): void {
  for (const name of added.splice(0)) tf.unregisterKernel(name, "wasm");
  for (const config of replaced.splice(0)) tf.registerKernel(config);
  installed = false;
  blasInUse = null;
}
