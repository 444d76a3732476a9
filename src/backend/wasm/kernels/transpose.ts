/**
 * `Transpose` of float32 tensors whose permutation swaps two adjacent groups
 * of axes, i.e. [batch, rows, cols, inner] → [batch, cols, rows, inner]: 2-D
 * transposes and attention's head split and merge. tfjs-wasm's stock kernel
 * copies element by element; other permutations and dtypes still go to it.
 * `swapLast` is also what `BatchMatMul` uses for transposed operands.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { add, alignDown, at, code, forLoop, func, type FunctionBuilder, mul, op } from "../emit.ts";
import { defineKernels, type ExportsOf, type KernelContext, size } from "./shared.ts";

const { get, set, i32 } = op;
const one = i32(1);

type Transpose2dParams = readonly ["x", "y", "batch", "rows", "cols"];

/** Locals of `transpose2d`, allocated in one place for its helpers. */
function transpose2dLocals(fn: FunctionBuilder<Transpose2dParams>) {
  return {
    ...fn.param,
    bt: fn.i32(),
    r: fn.i32(),
    c: fn.i32(),
    src: fn.i32(),
    dst: fn.i32(),
    xB: fn.i32(),
    yB: fn.i32(),
    outStride: fn.i32(),
    rows8: fn.i32(),
    cols4: fn.i32(),
    /** q · cols · 4 for q = 1..7: the next seven input rows from `src`. */
    strides: Array.from({ length: 7 }, () => fn.i32()),
    /** q · rows · 4 for q = 1..3: the next three output rows from `dst`. */
    outStrides: Array.from({ length: 3 }, () => fn.i32()),
    /** Eight input rows × 4 floats. */
    vin: Array.from({ length: 8 }, () => fn.v128()),
    t: Array.from({ length: 4 }, () => fn.v128()),
  };
}
type T2d = ReturnType<typeof transpose2dLocals>;

const rowAt = (L: T2d, q: number) => (q === 0 ? get(L.src) : add(get(L.src), get(L.strides[q - 1])));
const outAt = (L: T2d, q: number) => (q === 0 ? get(L.dst) : add(get(L.dst), get(L.outStrides[q - 1])));
// i8x16.shuffle picking float lanes (0–3 from the first vector, 4–7 from the second).
const shuffle = (u: number, v: number, lanes: number[]) =>
  code(get(u), get(v), op.i8x16Shuffle(lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])));

/**
 * A 4×4 block of rows vin[h·4 .. h·4+3] transposed in registers, written as
 * the h-th 4-float half of four output rows.
 */
function block4x4(L: T2d, h: number): number[] {
  const [r0, r1, r2, r3] = L.vin.slice(4 * h, 4 * h + 4);
  const [t0, t1, t2, t3] = L.t;
  const halves: [number, number, number[]][] = [
    [t0, t2, [0, 1, 4, 5]],
    [t0, t2, [2, 3, 6, 7]],
    [t1, t3, [0, 1, 4, 5]],
    [t1, t3, [2, 3, 6, 7]],
  ];
  return code(
    shuffle(r0, r1, [0, 4, 1, 5]),
    set(t0),
    shuffle(r0, r1, [2, 6, 3, 7]),
    set(t1),
    shuffle(r2, r3, [0, 4, 1, 5]),
    set(t2),
    shuffle(r2, r3, [2, 6, 3, 7]),
    set(t3),
    ...halves.map(([u, v, lanes], q) => code(outAt(L, q), shuffle(u, v, lanes), op.v128Store(16 * h))),
  );
}

/** Eight input rows from `src` to the output rows at `dst`: 8×4 blocks in registers, then column by column. */
function eightRows(L: T2d): number[] {
  const advance = code(add(get(L.src), i32(4)), set(L.src), add(get(L.dst), get(L.outStride)), set(L.dst));
  const eight = L.vin.flatMap((_, q) => code(get(L.dst), rowAt(L, q), op.f32Load(), op.f32Store(4 * q)));
  return code(
    forLoop(L.c, i32(0), get(L.cols4), i32(4), [
      ...L.vin.flatMap((v, q) => code(rowAt(L, q), op.v128Load(), set(v))),
      ...block4x4(L, 0),
      ...block4x4(L, 1),
      ...add(get(L.src), i32(16)),
      ...set(L.src),
      ...add(get(L.dst), get(L.outStrides[2])),
      ...get(L.outStride),
      ...op.i32Add,
      ...set(L.dst),
    ]),
    forLoop(L.c, get(L.cols4), get(L.cols), one, [...eight, ...advance]),
  );
}

/**
 * y [cols, rows] = x [rows, cols]ᵀ for each of `batch` matrices, eight rows
 * at a time so that each output write fills a contiguous run of 8 floats
 * while the 8 input rows stay in cache; leftover rows one by one.
 */
export function transpose2d(name: string) {
  const fn = func(name, ["x", "y", "batch", "rows", "cols"]);
  const L = transpose2dLocals(fn);
  const { x, y, batch, rows, cols, bt, r, c, src, dst } = L;
  const advance = code(add(get(src), i32(4)), set(src), add(get(dst), get(L.outStride)), set(dst));
  const rowStart = code(at(L.xB, mul(get(r), get(cols))), set(src), at(L.yB, get(r)), set(dst));
  return fn.finish(
    mul(get(rows), i32(4)),
    set(L.outStride),
    alignDown(rows, 8),
    set(L.rows8),
    alignDown(cols, 4),
    set(L.cols4),
    ...L.strides.map((sq, q) => code(mul(get(cols), i32(4 * (q + 1))), set(sq))),
    ...L.outStrides.map((sq, q) => code(mul(get(rows), i32(4 * (q + 1))), set(sq))),
    forLoop(bt, i32(0), get(batch), one, [
      ...at(x, mul(get(bt), get(rows), get(cols))),
      ...set(L.xB),
      ...at(y, mul(get(bt), get(rows), get(cols))),
      ...set(L.yB),
      ...forLoop(r, i32(0), get(L.rows8), i32(8), [...rowStart, ...eightRows(L)]),
      ...forLoop(r, get(L.rows8), get(rows), one, [
        ...rowStart,
        ...forLoop(c, i32(0), get(cols), one, code(get(dst), get(src), op.f32Load(), op.f32Store(), advance)),
      ]),
    ]),
  );
}

/**
 * y [batch, cols, rows, inner] = x [batch, rows, cols, inner] with the middle
 * axes swapped, copying `inner` floats at a time (4 per step when `vector`).
 */
function transposeInner(name: string, vector: boolean) {
  const fn = func(name, ["x", "y", "batch", "rows", "cols", "inner"]);
  const { x, y, batch, rows, cols, inner } = fn.param;
  const bt = fn.i32(), r = fn.i32(), c = fn.i32(), e = fn.i32();
  const xB = fn.i32(), yB = fn.i32(), src = fn.i32(), dst = fn.i32(), block = fn.i32();
  const [step, load, store] = vector
    ? [i32(4), op.v128Load(), op.v128Store()]
    : [one, op.f32Load(), op.f32Store()];
  const copy = forLoop(e, i32(0), get(inner), step, code(at(dst, get(e)), at(src, get(e)), load, store));
  return fn.finish(
    mul(get(rows), get(cols), get(inner)),
    set(block),
    forLoop(bt, i32(0), get(batch), one, [
      ...at(x, mul(get(bt), get(block))),
      ...set(xB),
      ...at(y, mul(get(bt), get(block))),
      ...set(yB),
      ...forLoop(r, i32(0), get(rows), one, [
        ...forLoop(c, i32(0), get(cols), one, [
          ...at(xB, mul(add(mul(get(r), get(cols)), get(c)), get(inner))),
          ...set(src),
          ...at(yB, mul(add(mul(get(c), get(rows)), get(r)), get(inner))),
          ...set(dst),
          ...copy,
        ]),
      ]),
    ]),
  );
}

/**
 * [batch, rows, cols, inner] sizes when `perm` swaps two adjacent groups of
 * axes and keeps the rest in place; null otherwise.
 */
export function swapGroups(
  shape: readonly number[],
  perm: readonly number[],
): [number, number, number, number] | null {
  const n = perm.length;
  let a = 0;
  while (a < n && perm[a] === a) a++;
  let z = n;
  while (z > a && perm[z - 1] === z - 1) z--;
  if (a === z) return null;
  // perm[a..z) must be [b..z) followed by [a..b).
  const b = perm[a];
  const len1 = z - b;
  for (let i = 0; i < len1; i++) if (perm[a + i] !== b + i) return null;
  for (let i = 0; i < b - a; i++) if (perm[a + len1 + i] !== a + i) return null;
  return [size(shape.slice(0, a)), size(shape.slice(a, b)), size(shape.slice(b, z)), size(shape.slice(z))];
}

const wasm = {
  transpose2d,
  transposeVec: (name: string) => transposeInner(name, true),
  transposeScalar: (name: string) => transposeInner(name, false),
};

type Transpose2dContext = KernelContext<Pick<ExportsOf<typeof wasm>, "transpose2d">>;

/** `transpose2d` of x viewed as [batch, rows, cols], into a new tensor of shape `outShape`. */
function run2d(ctx: Transpose2dContext, x: tf.TensorInfo, dims: number[], outShape: number[]): tf.TensorInfo {
  const out = ctx.backend.makeOutput(outShape, x.dtype);
  const [batch, rows, cols] = dims;
  ctx.exports.transpose2d(ctx.offset(x), ctx.offset(out), batch, rows, cols);
  return out;
}

/** x with its last two axes swapped, as a new tensor (for any definition that also lists `transpose2d`). */
export function swapLast(ctx: Transpose2dContext, x: tf.TensorInfo): tf.TensorInfo {
  const s = x.shape, r = s.length;
  return run2d(ctx, x, [size(s.slice(0, r - 2)), s[r - 2], s[r - 1]], [
    ...s.slice(0, r - 2),
    s[r - 1],
    s[r - 2],
  ]);
}

/** The kernel definition: `Transpose`. */
export const transposeKernels = defineKernels({
  wasm,
  kernels: {
    Transpose: (ctx) => {
      const stock = ctx.stock("Transpose");
      const { transposeVec, transposeScalar } = ctx.exports;
      return (args) => {
        const x = args.inputs.x;
        const perm = args.attrs!.perm as number[];
        const dims = x.dtype === "float32" ? swapGroups(x.shape, perm) : null;
        if (!dims) return stock(args);
        const [batch, rows, cols, inner] = dims;
        const outShape = perm.map((p) => x.shape[p]);
        if (inner === 1) return run2d(ctx, x, dims, outShape);
        const out = ctx.backend.makeOutput(outShape, x.dtype);
        (inner % 4 === 0 ? transposeVec : transposeScalar)(
          ctx.offset(x),
          ctx.offset(out),
          batch,
          rows,
          cols,
          inner,
        );
        return out;
      };
    },
  },
});
