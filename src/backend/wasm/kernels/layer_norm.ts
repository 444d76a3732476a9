/**
 * Fused LayerNorm over the last axis, forward (`FUSED.layerNorm`) and
 * gradient (`FUSED.layerNormGrad`): one kernel each way instead of about ten
 * ops. Added kernels (the model calls them only when they are installed).
 * Scalar code: rows are short (d_model) and the op is memory-bound.
 * @module
 */
import { FUSED } from "../../fused.ts";
import { at, code, forLoop, func, mul, op } from "../emit.ts";
import { defineKernels, floatBits, size } from "./shared.ts";

const { get, set, tee, i32 } = op;
const one = i32(1);

/** 1/d as a float, into local `into`. */
const reciprocal = (d: number, into: number) =>
  code(op.f32(1), get(d), op.f32ConvertI32S, op.f32Div, set(into));

/**
 * y = x̂·w + b for x [rows, d], with x̂ = (x − mean)·rstd and
 * rstd = 1/√(var + eps); x̂ and rstd are kept for the gradient.
 */
function layerNormForward(name: string) {
  const fn = func(name, ["x", "w", "b", "y", "xhat", "rstd", "rows", "d", "epsBits"]);
  const { x, w, b, y, xhat, rstd, rows, d, epsBits } = fn.param;
  const r = fn.i32(), j = fn.i32(), row = fn.i32(), outRow = fn.i32(), hatRow = fn.i32();
  const sum = fn.f32(), mean = fn.f32(), rs = fn.f32(), invD = fn.f32(), eps = fn.f32(), t = fn.f32();
  const xj = code(at(row, get(j)), op.f32Load());
  const overRow = (body: number[]) => forLoop(j, i32(0), get(d), one, body);
  return fn.finish(
    reciprocal(d, invD),
    // eps arrives as its float bits in an i32 parameter.
    code(get(epsBits), op.f32ReinterpretI32, set(eps)),
    forLoop(r, i32(0), get(rows), one, [
      ...code(at(x, mul(get(r), get(d))), set(row), at(y, mul(get(r), get(d))), set(outRow)),
      ...code(at(xhat, mul(get(r), get(d))), set(hatRow)),
      // mean, then the variance as Σ(x − mean)² / d, then rstd.
      ...code(op.f32(0), set(sum), overRow(code(get(sum), xj, op.f32Add, set(sum)))),
      ...code(get(sum), get(invD), op.f32Mul, set(mean), op.f32(0), set(sum)),
      ...overRow(code(xj, get(mean), op.f32Sub, tee(t), get(t), op.f32Mul, get(sum), op.f32Add, set(sum))),
      ...code(op.f32(1), get(sum), get(invD), op.f32Mul, get(eps), op.f32Add, op.f32Sqrt, op.f32Div, set(rs)),
      ...code(at(rstd, get(r)), get(rs), op.f32Store()),
      ...overRow(code(
        code(at(hatRow, get(j)), xj, get(mean), op.f32Sub, get(rs), op.f32Mul, tee(t), op.f32Store()),
        code(at(outRow, get(j)), get(t), at(w, get(j)), op.f32Load(), op.f32Mul),
        code(at(b, get(j)), op.f32Load(), op.f32Add, op.f32Store()),
      )),
    ]),
  );
}

/**
 * LayerNorm's gradient from dy, x̂ and rstd: with g = dy·w,
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)); dw = Σ_rows dy·x̂; db = Σ_rows dy.
 */
function layerNormBackward(name: string) {
  const fn = func(name, ["dy", "xhat", "rstd", "w", "dx", "dw", "db", "rows", "d"]);
  const { dy, xhat, rstd, w, dx, dw, db, rows, d } = fn.param;
  const r = fn.i32(), j = fn.i32(), dyRow = fn.i32(), hatRow = fn.i32(), dxRow = fn.i32();
  const m1 = fn.f32(), m2 = fn.f32(), invD = fn.f32(), g = fn.f32(), rs = fn.f32();
  const load = (base: number) => code(at(base, get(j)), op.f32Load());
  const accumulate = (base: number, value: number[]) =>
    code(at(base, get(j)), load(base), value, op.f32Add, op.f32Store());
  const gj = code(load(dyRow), load(w), op.f32Mul);
  const overRow = (body: number[]) => forLoop(j, i32(0), get(d), one, body);
  return fn.finish(
    reciprocal(d, invD),
    overRow(code(at(dw, get(j)), op.f32(0), op.f32Store(), at(db, get(j)), op.f32(0), op.f32Store())),
    forLoop(r, i32(0), get(rows), one, [
      ...code(at(dy, mul(get(r), get(d))), set(dyRow), at(xhat, mul(get(r), get(d))), set(hatRow)),
      ...code(at(dx, mul(get(r), get(d))), set(dxRow), op.f32(0), set(m1), op.f32(0), set(m2)),
      // Σ g and Σ g·x̂ over the row, and the row's share of dw and db.
      ...overRow(code(
        code(gj, tee(g), get(m1), op.f32Add, set(m1)),
        code(get(g), load(hatRow), op.f32Mul, get(m2), op.f32Add, set(m2)),
        accumulate(dw, code(load(dyRow), load(hatRow), op.f32Mul)),
        accumulate(db, load(dyRow)),
      )),
      ...code(get(m1), get(invD), op.f32Mul, set(m1), get(m2), get(invD), op.f32Mul, set(m2)),
      ...code(at(rstd, get(r)), op.f32Load(), set(rs)),
      ...overRow(code(
        code(at(dxRow, get(j)), gj, get(m1), op.f32Sub),
        code(load(hatRow), get(m2), op.f32Mul, op.f32Sub, get(rs), op.f32Mul, op.f32Store()),
      )),
    ]),
  );
}

/** The kernel definition: `FUSED.layerNorm` ({x, w, b}, {eps} → [y, x̂, rstd]) and its gradient. */
export const layerNormKernels = defineKernels({
  wasm: { layerNormForward, layerNormBackward },
  kernels: {
    [FUSED.layerNorm]: (ctx) => ({ inputs: { x, w, b }, attrs }) => {
      const d = x.shape[x.shape.length - 1], rows = size(x.shape) / d;
      const y = ctx.float32(x.shape), xhat = ctx.float32(x.shape), rstd = ctx.float32([rows]);
      const [px, pw, pb, py, pxhat, prstd] = [x, w, b, y, xhat, rstd].map(ctx.offset);
      ctx.exports.layerNormForward(px, pw, pb, py, pxhat, prstd, rows, d, floatBits(attrs!.eps as number));
      return [y, xhat, rstd];
    },
    // {dy, x̂, rstd, w} → [dx, dw, db].
    [FUSED.layerNormGrad]: (ctx) => ({ inputs: { dy, xhat, rstd, w } }) => {
      const d = dy.shape[dy.shape.length - 1], rows = size(dy.shape) / d;
      const dx = ctx.float32(dy.shape), dw = ctx.float32([d]), db = ctx.float32([d]);
      const [pdy, pxhat, prstd, pw, pdx, pdw, pdb] = [dy, xhat, rstd, w, dx, dw, db].map(ctx.offset);
      ctx.exports.layerNormBackward(pdy, pxhat, prstd, pw, pdx, pdw, pdb, rows, d);
      return [dx, dw, db];
    },
  },
});
