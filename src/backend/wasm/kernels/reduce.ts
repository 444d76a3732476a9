/**
 * `Sum` (and `Max`) of float32 tensors over leading or trailing axes. A sum
 * over leading axes (every bias and LayerNorm gradient) is one pass adding
 * rows, where tfjs-wasm transposes first; a reduction over trailing axes is
 * one pass per row. Other axes, and reductions over all or no axes, go to
 * the stock kernels.
 * tfjs names `Max`'s axes `reductionIndices` and `Sum`'s `axis`.
 * @module
 */
import { alignDown, at, code, forLoop, func, mul, op } from "../emit.ts";
import { defineKernels, type ExportsOf, type KernelContext, type KernelFn, size } from "./shared.ts";

const { get, set, tee, i32 } = op;
const one = i32(1);

/** y [inner] = Σ_i x[i, :] for x [outer, inner], rows added in order. */
function sumOuter(name: string) {
  const fn = func(name, ["x", "y", "outer", "inner"]);
  const { x, y, outer, inner } = fn.param;
  const i = fn.i32(), j = fn.i32(), row = fn.i32(), n4 = fn.i32(), ad = fn.i32();
  // y[j] += row[j], over float offsets j, as `load`, `add`, `store` (4 lanes or 1).
  const addRow = (load: number[], sum: number[], store: number[]) =>
    code(at(y, get(j)), tee(ad), get(ad), load, at(row, get(j)), load, sum, store);
  return fn.finish(
    alignDown(inner, 4),
    set(n4),
    forLoop(j, i32(0), get(inner), one, code(at(y, get(j)), op.f32(0), op.f32Store())),
    forLoop(i, i32(0), get(outer), one, [
      ...at(x, mul(get(i), get(inner))),
      ...set(row),
      ...forLoop(j, i32(0), get(n4), i32(4), addRow(op.v128Load(), op.f32x4Add, op.v128Store())),
      ...forLoop(j, get(n4), get(inner), one, addRow(op.f32Load(), op.f32Add, op.f32Store())),
    ]),
  );
}

/**
 * y[r] = Σ (or max) of x[r, :] for x [rows, len]: four lanes, then the
 * lanes folded, then the leftover columns.
 */
function reduceRows(name: string, kind: "sum" | "max") {
  const fn = func(name, ["x", "y", "rows", "len"]);
  const { x, y, rows, len } = fn.param;
  const r = fn.i32(), j = fn.i32(), row = fn.i32(), n4 = fn.i32();
  const accV = fn.v128(), acc = fn.f32();
  const [vOp, sOp] = kind === "sum" ? [op.f32x4Add, op.f32Add] : [op.f32x4Max, op.f32Max];
  // The identity element: 0 for a sum; the row's first value for a max (rows are never empty).
  const initV = kind === "sum" ? code(op.f32(0), op.f32x4Splat) : code(get(row), op.f32Load(), op.f32x4Splat);
  const lane = (q: number) => code(get(accV), op.f32x4ExtractLane(q));
  return fn.finish(
    alignDown(len, 4),
    set(n4),
    forLoop(r, i32(0), get(rows), one, [
      ...at(x, mul(get(r), get(len))),
      ...set(row),
      ...initV,
      ...set(accV),
      ...forLoop(j, i32(0), get(n4), i32(4), code(get(accV), at(row, get(j)), op.v128Load(), vOp, set(accV))),
      ...code(lane(0), lane(1), sOp, lane(2), sOp, lane(3), sOp, set(acc)),
      ...forLoop(j, get(n4), get(len), one, code(get(acc), at(row, get(j)), op.f32Load(), sOp, set(acc))),
      ...code(at(y, get(r)), get(acc), op.f32Store()),
    ]),
  );
}

const wasm = {
  sumOuter,
  rowSum: (name: string) => reduceRows(name, "sum"),
  rowMax: (name: string) => reduceRows(name, "max"),
};

/** Reductions over leading axes (sums only) or trailing axes (sums and maxima), else `stockReduce`. */
function reduceKernel(ctx: KernelContext<ExportsOf<typeof wasm>>, kind: "sum" | "max"): KernelFn {
  const stockReduce = ctx.stock(kind === "sum" ? "Sum" : "Max");
  const { sumOuter, rowSum, rowMax } = ctx.exports;
  return (args) => {
    const x = args.inputs.x;
    const { axis: sumAxes, reductionIndices, keepDims } = args.attrs as {
      axis?: number | number[];
      reductionIndices?: number | number[];
      keepDims: boolean;
    };
    const axis = (kind === "sum" ? sumAxes : reductionIndices) ?? [];
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort(
      (p, q) => p - q,
    );
    if (x.dtype !== "float32" || axes.length === 0 || axes.length === rank || size(x.shape) === 0) {
      return stockReduce(args);
    }
    const leading = axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === rank - axes.length + i);
    const kept = (shape: number[]) => keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape;
    if (kind === "sum" && leading) {
      const rest = x.shape.slice(axes.length);
      const out = ctx.float32(kept(rest));
      sumOuter(ctx.offset(x), ctx.offset(out), size(x.shape.slice(0, axes.length)), size(rest));
      return out;
    }
    if (trailing) {
      const lead = x.shape.slice(0, rank - axes.length);
      const out = ctx.float32(kept(lead));
      const n = size(lead);
      (kind === "sum" ? rowSum : rowMax)(ctx.offset(x), ctx.offset(out), n, size(x.shape) / n);
      return out;
    }
    return stockReduce(args);
  };
}

/** The kernel definition: `Sum` and `Max`. */
export const reduceKernels = defineKernels({
  wasm,
  kernels: {
    Sum: (ctx) => reduceKernel(ctx, "sum"),
    Max: (ctx) => reduceKernel(ctx, "max"),
  },
});
