/**
 * Fused softmax gradient over the last axis (`FUSED.softmaxGrad`), from the
 * softmax's output: one kernel instead of four ops. Added kernel; the model's
 * attention uses it when installed.
 * @module
 */
import { FUSED } from "../../fused.ts";
import { alignDown, at, code, forLoop, func, mul, op } from "../emit.ts";
import { defineKernels, size } from "./shared.ts";

const { get, set, i32 } = op;
const one = i32(1);

/** Per row of [rows, len]: dx = y·(dy − Σ dy·y), 4 lanes at a time, then the leftover columns. */
function softmaxBackward(name: string) {
  const fn = func(name, ["y", "dy", "dx", "rows", "len"]);
  const { y, dy, dx, rows, len } = fn.param;
  const r = fn.i32(), j = fn.i32(), base = fn.i32(), n4 = fn.i32(), ofs = fn.i32();
  const accV = fn.v128(), sV = fn.v128(), acc = fn.f32();
  // base = r·len·4 is a byte offset shared by y, dy and dx; ofs adds column j's.
  const addr = (ptr: number) => code(get(ptr), get(ofs), op.i32Add);
  const offsetOf = code(at(base, get(j)), set(ofs));
  const lanes = [0, 1, 2, 3].map((lane) => code(get(accV), op.f32x4ExtractLane(lane), lane ? op.f32Add : []));
  return fn.finish(
    alignDown(len, 4),
    set(n4),
    forLoop(r, i32(0), get(rows), one, [
      ...code(mul(get(r), get(len), i32(4)), set(base)),
      // Σ dy·y: four lanes, folded, then the leftover columns.
      ...code(op.f32(0), op.f32x4Splat, set(accV)),
      ...forLoop(j, i32(0), get(n4), i32(4), [
        ...code(offsetOf, get(accV), addr(y), op.v128Load(), addr(dy), op.v128Load()),
        ...code(op.f32x4Mul, op.f32x4Add, set(accV)),
      ]),
      ...code(...lanes, set(acc)),
      ...forLoop(j, get(n4), get(len), one, [
        ...code(offsetOf, get(acc), addr(y), op.f32Load(), addr(dy), op.f32Load()),
        ...code(op.f32Mul, op.f32Add, set(acc)),
      ]),
      ...code(get(acc), op.f32x4Splat, set(sV)),
      ...forLoop(j, i32(0), get(n4), i32(4), [
        ...code(offsetOf, addr(dx), addr(y), op.v128Load(), addr(dy), op.v128Load()),
        ...code(get(sV), op.f32x4Sub, op.f32x4Mul, op.v128Store()),
      ]),
      ...forLoop(j, get(n4), get(len), one, [
        ...code(offsetOf, addr(dx), addr(y), op.f32Load(), addr(dy), op.f32Load()),
        ...code(get(acc), op.f32Sub, op.f32Mul, op.f32Store()),
      ]),
    ]),
  );
}

/** The kernel definition: `FUSED.softmaxGrad` ({y, dy} → dx). */
export const softmaxGradKernels = defineKernels({
  wasm: { softmaxBackward },
  kernels: {
    [FUSED.softmaxGrad]: (ctx) => ({ inputs: { y, dy } }) => {
      const len = y.shape[y.shape.length - 1];
      const dx = ctx.float32(y.shape);
      ctx.exports.softmaxBackward(ctx.offset(y), ctx.offset(dy), ctx.offset(dx), size(y.shape) / len, len);
      return dx;
    },
  },
});
