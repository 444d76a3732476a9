/**
 * Fused GELU pieces (`FUSED.geluArgument`, `FUSED.geluGrad`): the model
 * computes GELU as x·σ(u) with σ by XNNPACK, so the kernels give u, and the
 * gradient in one pass instead of about eight ops. Added kernels.
 * @module
 */
import { FUSED, GELU_A, GELU_C } from "../../fused.ts";
import { add, alignDown, code, forLoop, func, type FunctionBuilder, op } from "../emit.ts";
import { defineKernels, size } from "./shared.ts";

const { get, set, i32 } = op;

/**
 * Elementwise over n floats, 4 at a time then one by one: `vec` and
 * `scalar` compute the value to store at out[i] from the byte offset i·4
 * held in local `ofs`.
 */
function elementwise<P extends readonly string[]>(
  fn: FunctionBuilder<P>,
  out: number,
  n: number,
  vec: (ofs: number) => number[],
  scalar: (ofs: number) => number[],
) {
  const i = fn.i32(), n4 = fn.i32(), ofs = fn.i32();
  const offsetOf = code(get(i), i32(2), op.i32Shl, set(ofs));
  return fn.finish(
    alignDown(n, 4),
    set(n4),
    forLoop(i, i32(0), get(n4), i32(4), code(offsetOf, add(get(out), get(ofs)), vec(ofs), op.v128Store())),
    forLoop(i, get(n4), get(n), i32(1), code(offsetOf, add(get(out), get(ofs)), scalar(ofs), op.f32Store())),
  );
}

/** The float ops of one variant of an elementwise kernel: 4 lanes or 1. */
interface Lanes {
  load: number[];
  constant: (c: number) => number[];
  mul: number[];
  add: number[];
  sub: number[];
}
const VECTOR: Lanes = {
  load: op.v128Load(),
  constant: (c) => code(op.f32(c), op.f32x4Splat),
  mul: op.f32x4Mul,
  add: op.f32x4Add,
  sub: op.f32x4Sub,
};
const SCALAR: Lanes = {
  load: op.f32Load(),
  constant: op.f32,
  mul: op.f32Mul,
  add: op.f32Add,
  sub: op.f32Sub,
};

/** GELU's sigmoid argument u = C·x·(1 + A·x²) (σ itself is XNNPACK's). */
function geluArgument(name: string) {
  const fn = func(name, ["x", "u", "n"]);
  const { x, u, n } = fn.param;
  const build = (L: Lanes) => (ofs: number) => {
    const X = code(add(get(x), get(ofs)), L.load);
    const c = L.constant, m = L.mul;
    return code(X, X, m, c(GELU_A), m, c(1), L.add, X, m, c(GELU_C), m);
  };
  return elementwise(fn, u, n, build(VECTOR), build(SCALAR));
}

/** GELU's gradient dx = dy·(s + x·s·(1 − s)·C·(1 + 3A·x²)) with s = σ(u). */
function geluBackward(name: string) {
  const fn = func(name, ["x", "s", "dy", "dx", "n"]);
  const { x, s, dy, dx, n } = fn.param;
  const build = (L: Lanes) => (ofs: number) => {
    const [X, S, DY] = [x, s, dy].map((ptr) => code(add(get(ptr), get(ofs)), L.load));
    const c = L.constant, m = L.mul;
    return code(
      code(X, X, m, c(3 * GELU_A), m, c(1), L.add, c(GELU_C), m), // C(1 + 3A x²)
      code(X, m, S, m), // · x · s
      code(c(1), S, L.sub, m), // · (1 − s)
      code(S, L.add), // + s
      code(DY, m),
    );
  };
  return elementwise(fn, dx, n, build(VECTOR), build(SCALAR));
}

/** The kernel definition: `FUSED.geluArgument` ({x} → u) and `FUSED.geluGrad` ({x, s, dy} → dx). */
export const geluKernels = defineKernels({
  wasm: { geluArgument, geluBackward },
  kernels: {
    [FUSED.geluArgument]: (ctx) => ({ inputs: { x } }) => {
      const u = ctx.float32(x.shape);
      ctx.exports.geluArgument(ctx.offset(x), ctx.offset(u), size(x.shape));
      return u;
    },
    [FUSED.geluGrad]: (ctx) => ({ inputs: { x, s, dy } }) => {
      const dx = ctx.float32(x.shape);
      ctx.exports.geluBackward(ctx.offset(x), ctx.offset(s), ctx.offset(dy), ctx.offset(dx), size(x.shape));
      return dx;
    },
  },
});
