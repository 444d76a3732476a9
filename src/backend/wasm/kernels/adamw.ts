/**
 * Fused AdamW step (`FUSED.adamw`): one kernel per parameter instead of
 * about twelve ops. Added kernel; `optim/adamw.ts` calls it when installed.
 * @module
 */
import { FUSED } from "../../fused.ts";
import { add, alignDown, code, forLoop, func, op } from "../emit.ts";
import { defineKernels, floatBits, size } from "./shared.ts";

const { get, set, tee, i32 } = op;

/** Hyper-parameters in parameter order (as f32 bits), then the clipping scale. */
const HYPER = ["beta1", "beta2", "c1", "c2", "eps", "lr", "wd"] as const;
type Constant = typeof HYPER[number] | "scale";

/** The float ops of one variant: 4 lanes or 1, with its own locals. */
interface Variant {
  load: number[];
  store: number[];
  ops: { mul: number[]; add: number[]; sub: number[]; div: number[]; sqrt: number[] };
  constant: (which: Constant) => number[];
  one: number[];
  /** Scratch locals: the scaled gradient (then v'), and m'. */
  g: number;
  m: number;
}

/**
 * One element (or four): with g = grad·scale, m' = β1·m + (1−β1)·g,
 * v' = β2·v + (1−β2)·g², p' = p − lr·((m'/c1) / (√(v'/c2) + eps) + wd·p).
 * `off(ptr)` is the element's address in the array at pointer `ptr`.
 */
function update(V: Variant, off: (ptr: "p" | "g" | "m" | "v" | "pOut" | "mOut" | "vOut") => number[]) {
  const { mul: M, add: A, sub: SUB, div: D, sqrt: SQ } = V.ops;
  const c = V.constant, L = V.load;
  return code(
    code(off("g"), L, c("scale"), M, set(V.g)),
    // m'
    code(off("mOut"), off("m"), L, c("beta1"), M, V.one, c("beta1"), SUB, get(V.g), M, A, tee(V.m), V.store),
    // v' (kept on the stack through the store by recomputing its address)
    code(off("vOut"), off("v"), L, c("beta2"), M, V.one, c("beta2"), SUB, get(V.g), get(V.g), M, M, A),
    code(tee(V.g), V.store),
    // p'
    code(off("pOut"), off("p"), L, get(V.m), c("c1"), D, get(V.g), c("c2"), D, SQ, c("eps"), A, D),
    code(off("p"), L, c("wd"), M, A, c("lr"), M, SUB, V.store),
  );
}

/**
 * AdamW on n floats, in the order of `optim/adamw.ts`. `scale` points at
 * the clipping factor (one float); the float hyper-parameters arrive as bits.
 */
function adamw(name: string) {
  const fn = func(name, ["p", "g", "m", "v", "scale", "pOut", "mOut", "vOut", "n", ...HYPER]);
  const P = fn.param;
  const i = fn.i32(), n4 = fn.i32(), ofs = fn.i32();
  const constants = [...HYPER, "scale"] as const;
  const scalars = Object.fromEntries(constants.map((k) => [k, fn.f32()])) as Record<Constant, number>;
  const gS = fn.f32(), mS = fn.f32(), gV = fn.v128(), mV = fn.v128();
  const splats = Object.fromEntries(constants.map((k) => [k, fn.v128()])) as Record<Constant, number>;
  const scalar: Variant = {
    load: op.f32Load(),
    store: op.f32Store(),
    ops: { mul: op.f32Mul, add: op.f32Add, sub: op.f32Sub, div: op.f32Div, sqrt: op.f32Sqrt },
    constant: (k) => get(scalars[k]),
    one: op.f32(1),
    g: gS,
    m: mS,
  };
  const vector: Variant = {
    load: op.v128Load(),
    store: op.v128Store(),
    ops: { mul: op.f32x4Mul, add: op.f32x4Add, sub: op.f32x4Sub, div: op.f32x4Div, sqrt: op.f32x4Sqrt },
    constant: (k) => get(splats[k]),
    one: code(op.f32(1), op.f32x4Splat),
    g: gV,
    m: mV,
  };
  const off = (ptr: keyof typeof P) => add(get(P[ptr]), get(ofs));
  const offsetOf = code(get(i), i32(2), op.i32Shl, set(ofs));
  return fn.finish(
    ...HYPER.map((k) => code(get(P[k]), op.f32ReinterpretI32, set(scalars[k]))),
    code(get(P.scale), op.f32Load(), set(scalars.scale)),
    ...constants.map((k) => code(get(scalars[k]), op.f32x4Splat, set(splats[k]))),
    alignDown(P.n, 4),
    set(n4),
    forLoop(i, i32(0), get(n4), i32(4), code(offsetOf, update(vector, off))),
    forLoop(i, get(n4), get(P.n), i32(1), code(offsetOf, update(scalar, off))),
  );
}

/**
 * The kernel definition: `FUSED.adamw` ({p, g, m, v, scale}, {beta1, beta2,
 * c1, c2, eps, lr, weightDecay} → [p', m', v']).
 */
export const adamwKernels = defineKernels({
  wasm: { adamw },
  kernels: {
    [FUSED.adamw]: (ctx) => ({ inputs: { p, g, m, v, scale }, attrs }) => {
      const a = attrs as Record<string, number>;
      const [pOut, mOut, vOut] = [ctx.float32(p.shape), ctx.float32(p.shape), ctx.float32(p.shape)];
      const [pp, pg, pm, pv, ps, po, mo, vo] = [p, g, m, v, scale, pOut, mOut, vOut].map(ctx.offset);
      const [beta1, beta2, c1, c2, eps, lr, wd] = [a.beta1, a.beta2, a.c1, a.c2, a.eps, a.lr, a.weightDecay]
        .map(floatBits);
      ctx.exports.adamw(pp, pg, pm, pv, ps, po, mo, vo, size(p.shape), beta1, beta2, c1, c2, eps, lr, wd);
      return [pOut, mOut, vOut];
    },
  },
});
