/**
 * What every kernel definition under `kernels/` is made of, and the small
 * helpers their tfjs adapters share. A definition names the wasm functions
 * it calls (each emitted under that name) and the tfjs kernels it registers;
 * `../install.ts` builds one module from all of them and hands each adapter
 * its own definition's exports by those names.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmFunction } from "../emit.ts";
import type { Sgemm } from "../../native/openblas.ts";

/** The parts of tfjs-wasm's backend the adapters use. */
export interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  disposeData(id: unknown): void;
  incRef(id: unknown): void;
}

/** A tfjs kernel function as the wasm backend calls it. */
export type KernelFn = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
/** A kernel function's arguments. */
export type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
};

/** Emits one wasm function under the export name it is given. */
export type Emitter<P extends readonly string[] = readonly string[]> = (name: string) => WasmFunction<P>;

/** A function exported by the kernel module: one number per i32 parameter, no result. */
export type Export<P extends readonly string[]> = (...args: { [K in keyof P]: number }) => void;

/** The exports a definition's `wasm` record gives its adapters, by the same names. */
export type ExportsOf<W> = { [K in keyof W]: W[K] extends Emitter<infer P> ? Export<P> : never };

/** What an adapter is built with. */
export interface KernelContext<E> {
  /** The definition's own wasm functions, by the names its `wasm` record gives them. */
  exports: E;
  backend: WasmBackendLike;
  /** Byte address of a tensor's data in the wasm memory. */
  offset(t: tf.TensorInfo): number;
  /** A new float32 output tensor. */
  float32(shape: number[]): tf.TensorInfo;
  /** tfjs-wasm's own kernel `name` (taken before any replacement; throws when there is none). */
  stock(name: string): KernelFn;
  /** Native BLAS's matrix product where one is loaded (`../../native/openblas.ts`), else null. */
  sgemm: Sgemm | null;
  /** A float32 view of `length` elements at a tensor's data, on the memory as it is now (it may have grown). */
  view(t: tf.TensorInfo, length?: number): Float32Array;
}

/**
 * Builds a tfjs kernel function once the module is instantiated. (Declared
 * as a method so that its parameter is bivariant: a list of definitions
 * with different exports is then one type; `install.ts` hands each
 * definition exactly its own.)
 */
export type Adapter<E> = { make(ctx: KernelContext<E>): KernelFn }["make"];

/**
 * One kernel family: the wasm functions it emits or calls, and the tfjs
 * kernels it registers with their adapters. A function shared with another
 * definition is listed by both with the same emitter; it is emitted once.
 */
export interface KernelDefinition<W extends Record<string, Emitter> = Record<string, Emitter>> {
  /** Export name → emitter. */
  readonly wasm: W;
  /** tfjs kernel name → adapter, built once per install (before any kernel is replaced). */
  readonly kernels: Readonly<Record<string, Adapter<ExportsOf<W>>>>;
}

/** A definition, typed so that each adapter sees exactly its own exports. */
export function defineKernels<W extends Record<string, Emitter>>(
  def: KernelDefinition<W>,
): KernelDefinition<W> {
  return def;
}

/** Number of elements of a shape. */
export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A float's bits as an i32 (float arguments reach the wasm functions as i32 parameters). */
export function floatBits(x: number): number {
  return new Int32Array(new Float32Array([x]).buffer)[0];
}
