/**
 * Backend selection for tfjs: `auto` prefers WebGPU on a real GPU adapter,
 * then wasm (the fast CPU path), then cpu.
 *
 * The webgpu backend is imported only when it is wanted: importing it makes
 * it tfjs's top-priority backend, and no op may run before the chosen backend
 * is ready.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { installedBlas, installWasmKernels } from "./wasm/install.ts";
import type { BlasInfo } from "./native/openblas.ts";

/** Backends a user may ask for. */
export const BACKEND_CHOICES = ["auto", "webgpu", "wasm", "cpu"] as const;
/** A user's backend request. */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/** What was chosen, recorded in every manifest. */
export interface BackendInfo {
  name: "webgpu" | "wasm" | "cpu";
  requested: BackendChoice;
  adapter: AdapterInfo | null;
  /**
   * On wasm: "blockem" when blockem's SIMD kernels replace the slow stock
   * ones (the default), "stock" under BLOCKEM_KERNELS=stock. null elsewhere.
   */
  kernels: "blockem" | "stock" | null;
  /** On wasm with blockem's kernels: the native BLAS its matrix products run on, or null (none loaded). */
  blas?: BlasInfo | null;
}

/**
 * What a stage's outputs depend on besides its inputs, config and code: the
 * backend, and on wasm which kernels ran (they round differently).
 */
export function backendKey(
  info: {
    name: string;
    kernels?: string | null;
    blas?: { name: string; core: string; threads: number } | null;
  },
): string {
  if (info.kernels === "stock") return `${info.name}+stock-kernels`;
  // BLAS's kernels for the CPU it found and its thread count decide the rounding: the key names both.
  return info.blas
    ? `${info.name}+${info.blas.name}-${info.blas.core.toLowerCase()}-t${info.blas.threads}`
    : info.name;
}

/** What a manifest records of the BLAS that ran. */
export function blasRecord(blas: BlasInfo): { name: string; config: string; core: string; threads: number } {
  return { name: blas.name, config: blas.config, core: blas.core, threads: blas.threads };
}

/** The backend a stage runs on when it fixes its own BLAS thread count (cells use one: many run at once). */
export function withBlasThreads(backend: BackendInfo, threads: number | undefined): BackendInfo {
  return threads !== undefined && backend.blas ? { ...backend, blas: { ...backend.blas, threads } } : backend;
}

/** The WebGPU adapter as the platform describes it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** Probe for a WebGPU adapter; null where there is none. */
export async function probeWebGpuAdapter(): Promise<AdapterInfo | null> {
  const gpu = (navigator as unknown as {
    gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  }).gpu;
  if (!gpu) return null;
  // Mesa's Vulkan driver prints "XDG_RUNTIME_DIR is invalid or not set" on
  // every probe when it is unset; headless use needs no runtime dir at all.
  if (Deno.env.get("XDG_RUNTIME_DIR") === undefined) Deno.env.set("XDG_RUNTIME_DIR", "/tmp");
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
    isFallbackAdapter: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
  };
}

interface GpuAdapterLike {
  info?: Partial<Omit<AdapterInfo, "isFallbackAdapter">> & {
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

/** True when the adapter is a software rasteriser (llvmpipe, SwiftShader). */
export function isSoftwareAdapter(a: AdapterInfo): boolean {
  const text = `${a.vendor} ${a.architecture} ${a.device} ${a.description}`
    .toLowerCase();
  return a.isFallbackAdapter || /llvmpipe|swiftshader|lavapipe|softpipe/.test(text);
}

/**
 * Make `choice` the active tfjs backend and report what is in use.
 * Throws a clear error when an explicit choice cannot start.
 */
export async function initBackend(
  choice: BackendChoice = "auto",
): Promise<BackendInfo> {
  // PROD silences tfjs's "install tfjs-node" banner, which does not apply to Deno.
  tf.env().set("PROD", true);
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new TypeError(
      `Unknown backend '${choice}': expected one of ${BACKEND_CHOICES.join(", ")}`,
    );
  }
  let adapter: AdapterInfo | null = null;
  if (choice === "webgpu" || choice === "auto") {
    adapter = await probeWebGpuAdapter();
    const wanted = choice === "webgpu" ||
      (adapter !== null && !isSoftwareAdapter(adapter));
    if (wanted && adapter !== null) {
      await import("@tensorflow/tfjs-backend-webgpu");
      if (await tf.setBackend("webgpu")) {
        await tf.ready();
        return { name: "webgpu", requested: choice, adapter, kernels: null };
      }
    }
    if (choice === "webgpu") {
      throw new Error(
        "Cannot start the webgpu backend: no WebGPU adapter (install Mesa's Vulkan driver or use --backend wasm)",
      );
    }
  }
  if (choice === "wasm" || choice === "auto") {
    if (await tf.setBackend("wasm")) {
      await tf.ready();
      const kernels = installWasmKernels() ? "blockem" : "stock";
      return {
        name: "wasm",
        requested: choice,
        adapter,
        kernels,
        blas: kernels === "blockem" ? installedBlas() : null,
      };
    }
    if (choice === "wasm") throw new Error("Cannot start the wasm backend");
  }
  if (!(await tf.setBackend("cpu"))) throw new Error("Cannot start the cpu backend");
  await tf.ready();
  return { name: "cpu", requested: choice, adapter, kernels: null };
}
