/**
 * `BatchMatMul` with a batch (attention's score and value products, and
 * their gradients): tfjs-wasm runs these in a scalar loop at ≈2 GFLOP/s.
 * 2-D products keep XNNPACK; a transposed 2-D operand is transposed first
 * (`swapLast`), since XNNPACK takes only plain operands. Broadcast batches
 * and other dtypes go to the stock kernel.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { add, alignDown, at, code, forLoop, func, type FunctionBuilder, mul, op } from "../emit.ts";
import { defineKernels, size } from "./shared.ts";
import { swapLast, transpose2d } from "./transpose.ts";
import { nativeProduct, productShape, wantsNative } from "./native_matmul.ts";

const { get, set, i32 } = op;
const one = i32(1);

type BmmParams = readonly ["a", "b", "c", "batch", "m", "k", "n"];

/** Locals of `bmm`, allocated in one place for its helpers. */
function bmmLocals(fn: FunctionBuilder<BmmParams>) {
  return {
    ...fn.param,
    bt: fn.i32(),
    i: fn.i32(),
    p: fn.i32(),
    j: fn.i32(),
    aB: fn.i32(),
    bB: fn.i32(),
    cB: fn.i32(),
    aRow: fn.i32(),
    cRow: fn.i32(),
    n16: fn.i32(),
    n4: fn.i32(),
    aP: fn.i32(),
    bP: fn.i32(),
    m2: fn.i32(),
    aRow2: fn.i32(),
    cRow2: fn.i32(),
    aP2: fn.i32(),
    av: fn.v128(),
    av2: fn.v128(),
    /** Accumulators of the first row's (and a single row's) 16 columns. */
    accs: Array.from({ length: 4 }, () => fn.v128()),
    /** Accumulators of the second row's. */
    accs2: Array.from({ length: 4 }, () => fn.v128()),
    /** b's four vectors of one p, shared by both rows. */
    bs: Array.from({ length: 4 }, () => fn.v128()),
    sAcc: fn.f32(),
  };
}
type Bmm = ReturnType<typeof bmmLocals>;

/**
 * `body` for p over k, walking aP along a's row at aRow (aP2 along the next
 * row's when `pair`) and bP down b's column block at j.
 */
function overK(L: Bmm, body: number[], pair = false): number[] {
  return code(
    get(L.aRow),
    set(L.aP),
    pair ? code(get(L.aRow2), set(L.aP2)) : [],
    at(L.bB, get(L.j)),
    set(L.bP),
    forLoop(L.p, i32(0), get(L.k), one, [
      ...body,
      ...add(get(L.aP), i32(4)),
      ...set(L.aP),
      ...(pair ? code(add(get(L.aP2), i32(4)), set(L.aP2)) : []),
      ...add(get(L.bP), mul(get(L.n), i32(4))),
      ...set(L.bP),
    ]),
  );
}

// acc += av · b[bP + offset].
const fma = (L: Bmm, acc: number, offset: number) =>
  code(get(acc), get(L.av), get(L.bP), op.v128Load(offset), op.f32x4Mul, op.f32x4Add, set(acc));
// acc += aSplat · b (b already in a local): the two-row block loads b once for both rows.
const fmaLocal = (acc: number, aSplat: number, bv: number) =>
  code(get(acc), get(aSplat), get(bv), op.f32x4Mul, op.f32x4Add, set(acc));
const splat = (ptr: number, into: number) => code(get(ptr), op.f32Load(), op.f32x4Splat, set(into));
const zero = (regs: number[]) => regs.flatMap((r) => code(op.v128Zero, set(r)));
const store = (L: Bmm, row: number, regs: number[]) =>
  regs.flatMap((r, q) => code(at(row, get(L.j)), get(r), op.v128Store(16 * q)));

/** Column blocks of the row at aRow/cRow (and aRow2/cRow2): 16 wide for two rows or one, 4 wide, 1 wide. */
function blocks(L: Bmm) {
  const { accs, accs2, bs, av, av2, aP, aP2, bP, cRow, sAcc } = L;
  return {
    block16: code(
      zero(accs),
      overK(L, code(splat(aP, av), ...accs.map((r, q) => fma(L, r, 16 * q)))),
      store(L, cRow, accs),
    ),
    // Two rows × 16 columns: eight accumulators, each b vector loaded once per p.
    block16x2: code(
      zero([...accs, ...accs2]),
      overK(
        L,
        code(
          splat(aP, av),
          splat(aP2, av2),
          ...bs.map((bv, q) => code(get(bP), op.v128Load(16 * q), set(bv))),
          ...bs.map((bv, q) => code(fmaLocal(accs[q], av, bv), fmaLocal(accs2[q], av2, bv))),
        ),
        true,
      ),
      store(L, cRow, accs),
      store(L, L.cRow2, accs2),
    ),
    block4: code(
      zero([accs[0]]),
      overK(L, code(splat(aP, av), fma(L, accs[0], 0))),
      at(cRow, get(L.j)),
      get(accs[0]),
      op.v128Store(),
    ),
    single: code(
      op.f32(0),
      set(sAcc),
      overK(
        L,
        code(get(sAcc), get(aP), op.f32Load(), get(bP), op.f32Load(), op.f32Mul, op.f32Add, set(sAcc)),
      ),
      at(cRow, get(L.j)),
      get(sAcc),
      op.f32Store(),
    ),
  };
}

/**
 * c[t] = a[t] @ b[t] for row-major a [batch, m, k], b [batch, k, n]. Each
 * row of c is built 16 columns at a time in four vector registers over the
 * whole k loop (two rows at a time, then an odd last row; then 4 columns at
 * a time, then scalar), so c is written once.
 */
function bmm(name: string) {
  const fn = func(name, ["a", "b", "c", "batch", "m", "k", "n"]);
  const L = bmmLocals(fn);
  const { a, b, c, batch, m, k, n, bt, i, j, aB, cB, n16, n4, m2, aRow, cRow, aRow2, cRow2 } = L;
  const { block16, block16x2, block4, single } = blocks(L);
  // Columns past the last full 16 of the row at aRow/cRow.
  const rowTail = code(
    forLoop(j, get(n16), get(n4), i32(4), block4),
    forLoop(j, get(n4), get(n), one, single),
  );
  const rowStart = (row: number[], aInto: number, cInto: number) =>
    code(at(aB, mul(row, get(k))), set(aInto), at(cB, mul(row, get(n))), set(cInto));
  return fn.finish(
    alignDown(n, 16),
    set(n16),
    alignDown(n, 4),
    set(n4),
    alignDown(m, 2),
    set(m2),
    forLoop(bt, i32(0), get(batch), one, [
      ...code(at(a, mul(get(bt), get(m), get(k))), set(aB), at(b, mul(get(bt), get(k), get(n))), set(L.bB)),
      ...code(at(c, mul(get(bt), get(m), get(n))), set(cB)),
      // Rows in pairs: full 16-column blocks two rows at a time, then each row's tail.
      ...forLoop(i, i32(0), get(m2), i32(2), [
        ...rowStart(get(i), aRow, cRow),
        ...rowStart(add(get(i), one), aRow2, cRow2),
        ...forLoop(j, i32(0), get(n16), i32(16), block16x2),
        ...rowTail,
        ...code(get(aRow2), set(aRow), get(cRow2), set(cRow)),
        ...rowTail,
      ]),
      // An odd last row alone.
      ...forLoop(i, get(m2), get(m), one, [
        ...rowStart(get(i), aRow, cRow),
        ...forLoop(j, i32(0), get(n16), i32(16), block16),
        ...rowTail,
      ]),
    ]),
  );
}

/** The kernel definition: `BatchMatMul`. */
export const batchMatMulKernels = defineKernels({
  wasm: { bmm, transpose2d },
  kernels: {
    BatchMatMul: (ctx) => {
      const stock = ctx.stock("BatchMatMul");
      return (args) => {
        let { a, b } = args.inputs;
        const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
        if (a.dtype !== "float32" || b.dtype !== "float32") return stock(args);
        const product = ctx.sgemm ? productShape(a, b, transposeA, transposeB) : undefined;
        if (product && wantsNative(product)) {
          return nativeProduct(ctx, ctx.sgemm!, a, b, transposeA, transposeB, product);
        }
        const ra = a.shape.length, rb = b.shape.length;
        const batchA = size(a.shape.slice(0, ra - 2)), batchB = size(b.shape.slice(0, rb - 2));
        // Broadcast batches are left to the stock kernel.
        if (batchA !== batchB || ra !== rb) return stock(args);
        if (!transposeA && !transposeB && batchA === 1) return stock(args);
        const temps: tf.TensorInfo[] = [];
        if (transposeA) temps.push(a = swapLast(ctx, a));
        if (transposeB) temps.push(b = swapLast(ctx, b));
        let out: tf.TensorInfo;
        if (batchA === 1) {
          const attrs = { ...args.attrs, transposeA: false, transposeB: false };
          out = stock({ ...args, inputs: { a, b }, attrs }) as tf.TensorInfo;
        } else {
          const m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
          out = ctx.backend.makeOutput([...a.shape.slice(0, ra - 2), m, n], "float32");
          ctx.exports.bmm(ctx.offset(a), ctx.offset(b), ctx.offset(out), batchA, m, k, n);
        }
        for (const t of temps) ctx.backend.disposeData(t.dataId);
        return out;
      };
    },
    // A dense layer's forward product with its bias: on BLAS when loaded, else tfjs-wasm's (XNNPACK).
    _FusedMatMul: (ctx) => {
      const stock = ctx.stock("_FusedMatMul");
      return (args) => {
        const { a, b, bias, preluActivationWeights } = args.inputs;
        const { transposeA, transposeB, activation } = args.attrs as {
          transposeA: boolean;
          transposeB: boolean;
          activation: string;
        };
        const product = ctx.sgemm ? productShape(a, b, transposeA, transposeB) : undefined;
        const plainBias = bias === undefined ||
          (bias.dtype === "float32" && size(bias.shape) === product?.n && bias.shape.at(-1) === product.n);
        if (
          !product || product.batch !== 1 || a.dtype !== "float32" || b.dtype !== "float32" || !plainBias ||
          preluActivationWeights !== undefined || (activation ?? "linear") !== "linear"
        ) return stock(args);
        return nativeProduct(ctx, ctx.sgemm!, a, b, transposeA, transposeB, product, bias);
      };
    },
  },
});
