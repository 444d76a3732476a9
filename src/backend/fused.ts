/**
 * The fused kernels blockem adds to the wasm backend, by name, and the
 * constants they share with the op-by-op forms: what model and optimiser
 * code needs to know of the kernels, without depending on how they are
 * written (`wasm/`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Kernel names of the fused ops (registered on the wasm backend by `installWasmKernels`). */
export const FUSED = {
  layerNorm: "BlockemLayerNorm",
  layerNormGrad: "BlockemLayerNormGrad",
  geluArgument: "BlockemGeluArgument",
  geluGrad: "BlockemGeluGrad",
  adamw: "BlockemAdamW",
  softmaxGrad: "BlockemSoftmaxGrad",
} as const;

/** Constants of the GELU (tanh form): u = C·x·(1 + A·x²). */
export const GELU_C = 2 * Math.sqrt(2 / Math.PI), GELU_A = 0.044715;

/** True when the active backend is wasm with blockem's kernels installed (fused ops available). */
export function fusedKernelsActive(): boolean {
  // The kernel registry is the state: no flag to keep in step with install/uninstall.
  return tf.getKernel(FUSED.adamw, "wasm") !== undefined && tf.getBackend() === "wasm";
}
