/**
 * A minimal WebAssembly binary emitter: just enough of the format (types,
 * one imported memory, exported functions, i32/f32/v128 instructions) to
 * write small SIMD kernels in TypeScript without a toolchain.
 *
 * A function is written with a {@link FunctionBuilder}: parameters are named,
 * each local is allocated by a call that returns its index, and the locals
 * declaration is derived from what was allocated, so there are no
 * hand-numbered slots or counts to keep in step. The kernels themselves live
 * in `kernels/`.
 * @module
 */

/** Value types. */
export const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  while (true) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Instruction builders; each returns its bytes. Memory alignment hints are natural. */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  f32: (x: number) => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32And: [0x71],
  i32LtS: [0x48],
  i32GeS: [0x4e],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  f32Div: [0x95],
  f32Max: [0x97],
  f32Sqrt: [0x91],
  f32ConvertI32S: [0xb2],
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  f32x4Splat: [0xfd, ...uleb(0x13)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Sub: [0xfd, ...uleb(0xe5)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Div: [0xfd, ...uleb(0xe7)],
  f32x4Max: [0xfd, ...uleb(0xe9)],
  f32x4ExtractLane: (lane: number) => [0xfd, ...uleb(0x1f), lane],
  f32x4Sqrt: [0xfd, ...uleb(0xe3)],
  drop: [0x1a],
  f32ReinterpretI32: [0xbe],
  /** v128.const 0. */
  v128Zero: [0xfd, ...uleb(0x0c), ...new Array(16).fill(0)],
  /** i8x16.shuffle of the two vectors on the stack by 16 byte-lane indices (0–15 first, 16–31 second). */
  i8x16Shuffle: (lanes: number[]) => [0xfd, ...uleb(0x0d), ...lanes],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  i32LtU: [0x49],
  /** memory.copy: dst, src, byte count on the stack. */
  memoryCopy: [0xfc, ...uleb(10), 0, 0],
  /** if (cond) { then } with the condition on the stack. */
  ifThen: (then: number[]) => [0x04, 0x40, ...then, 0x0b],
};

/**
 * `for (i = from; i < to; i += step) body` over i32 local `i`; `to` and
 * `step` are instruction sequences (evaluated each iteration). The loop body
 * runs at least zero times.
 */
export function forLoop(i: number, from: number[], to: number[], step: number[], body: number[]): number[] {
  return [
    ...from,
    ...op.set(i),
    0x02,
    0x40, // block
    ...op.get(i),
    ...to,
    ...op.i32GeS,
    0x0d,
    0, // br_if out of the block when i >= to
    0x03,
    0x40, // loop
    ...body,
    ...op.get(i),
    ...step,
    ...op.i32Add,
    ...op.tee(i),
    ...to,
    ...op.i32LtS,
    0x0d,
    0, // br_if back to the loop head
    0x0b, // end loop
    0x0b, // end block
  ];
}

/** Instruction sequences joined into one. */
export function code(...parts: number[][]): number[] {
  return parts.flat();
}

/** Byte address `base + index·4` of float (or i32) element `index` from the pointer in local `base`. */
export function at(base: number, index: number[]): number[] {
  return code(op.get(base), index, op.i32(2), op.i32Shl, op.i32Add);
}

/** i32 product of the given sequences' values. */
export function mul(...xs: number[][]): number[] {
  return xs.reduce((acc, x) => [...acc, ...x, ...op.i32Mul]);
}

/** i32 sum of two sequences' values. */
export function add(a: number[], b: number[]): number[] {
  return code(a, b, op.i32Add);
}

/** The i32 in local `x` rounded down to a multiple of `multiple` (a power of two). */
export function alignDown(x: number, multiple: number): number[] {
  return code(op.get(x), op.i32(-multiple), op.i32And);
}

/** One exported function: i32 parameters (named) only, no results. */
export interface WasmFunction<P extends readonly string[] = readonly string[]> {
  name: string;
  params: P;
  /** Extra locals by type, after the parameters, as runs in index order. */
  locals: { type: number; count: number }[];
  body: number[];
}

/**
 * Builds one {@link WasmFunction}. `param` maps each parameter name to its
 * index; `i32()`, `f32()` and `v128()` each return a fresh local's index
 * (after the parameters, in call order), and `finish` declares exactly those.
 */
export class FunctionBuilder<const P extends readonly string[]> {
  /** Parameter indices by name. */
  readonly param: { readonly [K in P[number]]: number };
  readonly #types: number[] = [];
  #finished = false;

  constructor(readonly name: string, readonly params: P) {
    if (new Set(params).size !== params.length) throw new Error(`${name}: repeated parameter name`);
    this.param = Object.fromEntries(params.map((p, i) => [p, i])) as { [K in P[number]]: number };
  }

  /** A fresh local of value type `type`. */
  local(type: number): number {
    if (this.#finished) throw new Error(`${this.name}: local allocated after finish()`);
    this.#types.push(type);
    return this.params.length + this.#types.length - 1;
  }

  /** A fresh i32 local. */
  i32(): number {
    return this.local(I32);
  }

  /** A fresh f32 local. */
  f32(): number {
    return this.local(F32);
  }

  /** A fresh v128 local. */
  v128(): number {
    return this.local(V128);
  }

  /** The function with the given body and every local allocated so far. */
  finish(...body: number[][]): WasmFunction<P> {
    this.#finished = true;
    const locals: { type: number; count: number }[] = [];
    for (const type of this.#types) {
      const last = locals[locals.length - 1];
      if (last?.type === type) last.count++;
      else locals.push({ type, count: 1 });
    }
    return { name: this.name, params: this.params, locals, body: code(...body) };
  }
}

/** A builder for the function exported as `name` with the given i32 parameters. */
export function func<const P extends readonly string[]>(name: string, params: P): FunctionBuilder<P> {
  return new FunctionBuilder(name, params);
}

/** A module importing `env.memory` and exporting the given functions. */
export function emitModule(functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map(() => [I32])), 0]);
  const imports = [[...name("env"), ...name("memory"), 0x02, 0x00, 0x00]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map((l) => [...uleb(l.count), l.type])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
