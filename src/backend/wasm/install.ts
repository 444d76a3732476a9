/**
 * Hand-written WebAssembly SIMD kernels for the three tfjs-wasm ops that
 * dominate a training step of the organism, installed over the stock
 * kernels of the wasm backend:
 *
 * - `BatchMatMul` with a batch (attention's score and value products, and
 *   their gradients): tfjs-wasm runs these in a scalar loop at ≈2 GFLOP/s.
 *   2-D products keep XNNPACK; a transposed 2-D operand is transposed first,
 *   since XNNPACK takes only plain operands.
 * - `Transpose` of the form [batch, rows, cols, inner] → [batch, cols, rows,
 *   inner] (2-D transposes, attention's head split and merge).
 * - `Sum` over leading axes (every bias and LayerNorm gradient), which
 *   tfjs-wasm computes by transposing first.
 *
 * Other shapes fall through to the stock kernels. The kernels run on the
 * backend's own memory, so nothing is copied. Summation order differs from
 * the stock kernels, so results agree to float rounding, not bit for bit;
 * `BLOCKEM_KERNELS=stock` keeps the stock kernels (for comparisons).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FUSED, GELU_A, GELU_C } from "../fused.ts";
import { emitModule, F32, forLoop, I32, op, V128, type WasmFunction } from "./emit.ts";

const { get, set, tee, i32 } = op;
/** Byte address base + index·4. */
const at = (base: number, index: number[]) => [...get(base), ...index, ...i32(2), ...op.i32Shl, ...op.i32Add];
const mul = (...xs: number[][]) => xs.reduce((acc, x) => [...acc, ...x, ...op.i32Mul]);
const add = (a: number[], b: number[]) => [...a, ...b, ...op.i32Add];
const zeroF = op.f32(0);

/**
 * c[t] = a[t] @ b[t] for row-major a [batch, m, k], b [batch, k, n]. Each
 * row of c is built 16 columns at a time in four vector registers over the
 * whole k loop (then 4 at a time, then scalar), so c is written once.
 */
function bmm(): WasmFunction {
  const [a, b, c, batch, m, k, n] = [0, 1, 2, 3, 4, 5, 6];
  const [bt, i, p, j, aB, bB, cB, aRow, cRow, n16, n4, aP, bP, m2, aRow2, cRow2, aP2] = Array.from(
    { length: 17 },
    (_, q) => 7 + q,
  );
  const [av, av2, acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7, b0, b1, b2, b3] = Array.from(
    { length: 14 },
    (_, q) => 24 + q,
  );
  const sAcc = 38;
  const one = i32(1);
  const rowStride = mul(get(n), i32(4));
  // Walk p with aP over a's row (aP2 over the next row's) and bP down b's column block.
  const overK = (body: number[], pair = false) => [
    ...get(aRow),
    ...set(aP),
    ...(pair ? [...get(aRow2), ...set(aP2)] : []),
    ...at(bB, get(j)),
    ...set(bP),
    ...forLoop(p, i32(0), get(k), one, [
      ...body,
      ...add(get(aP), i32(4)),
      ...set(aP),
      ...(pair ? [...add(get(aP2), i32(4)), ...set(aP2)] : []),
      ...add(get(bP), rowStride),
      ...set(bP),
    ]),
  ];
  const zeroV = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const fma = (acc: number, offset: number) => [
    ...get(acc),
    ...get(av),
    ...get(bP),
    ...op.v128Load(offset),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...set(acc),
  ];
  // acc += aSplat · b (b already in a local): the two-row block loads b once for both rows.
  const fmaLocal = (acc: number, aSplat: number, bv: number) => [
    ...get(acc),
    ...get(aSplat),
    ...get(bv),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...set(acc),
  ];
  const splat = (ptr: number, into: number) => [...get(ptr), ...op.f32Load(), ...op.f32x4Splat, ...set(into)];
  const accs = [acc0, acc1, acc2, acc3], accs2 = [acc4, acc5, acc6, acc7], bs = [b0, b1, b2, b3];
  const store = (row: number, regs: number[]) =>
    regs.flatMap((r, q) => [...at(row, get(j)), ...get(r), ...op.v128Store(16 * q)]);
  const block16 = [
    ...accs.flatMap((r) => [...zeroV, ...set(r)]),
    ...overK([...splat(aP, av), ...accs.flatMap((r, q) => fma(r, 16 * q))]),
    ...store(cRow, accs),
  ];
  // Two rows × 16 columns: eight accumulators, each b vector loaded once per p.
  const block16x2 = [
    ...[...accs, ...accs2].flatMap((r) => [...zeroV, ...set(r)]),
    ...overK(
      [
        ...splat(aP, av),
        ...splat(aP2, av2),
        ...bs.flatMap((bv, q) => [...get(bP), ...op.v128Load(16 * q), ...set(bv)]),
        ...bs.flatMap((bv, q) => [...fmaLocal(accs[q], av, bv), ...fmaLocal(accs2[q], av2, bv)]),
      ],
      true,
    ),
    ...store(cRow, accs),
    ...store(cRow2, accs2),
  ];
  const block4 = [
    ...zeroV,
    ...set(acc0),
    ...overK([...splat(aP, av), ...fma(acc0, 0)]),
    ...at(cRow, get(j)),
    ...get(acc0),
    ...op.v128Store(),
  ];
  const single = [
    ...zeroF,
    ...set(sAcc),
    ...overK([
      ...get(sAcc),
      ...get(aP),
      ...op.f32Load(),
      ...get(bP),
      ...op.f32Load(),
      ...op.f32Mul,
      ...op.f32Add,
      ...set(sAcc),
    ]),
    ...at(cRow, get(j)),
    ...get(sAcc),
    ...op.f32Store(),
  ];
  // Columns past the last full 16 of the row at aRow/cRow.
  const rowTail = [
    ...forLoop(j, get(n16), get(n4), i32(4), block4),
    ...forLoop(j, get(n4), get(n), one, single),
  ];
  const rowStart = (row: number[], aInto: number, cInto: number) => [
    ...at(aB, mul(row, get(k))),
    ...set(aInto),
    ...at(cB, mul(row, get(n))),
    ...set(cInto),
  ];
  return {
    name: "bmm",
    params: 7,
    locals: [{ type: I32, count: 17 }, { type: V128, count: 14 }, { type: F32, count: 1 }],
    body: [
      ...get(n),
      ...i32(-16),
      ...op.i32And,
      ...set(n16),
      ...get(n),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...get(m),
      ...i32(-2),
      ...op.i32And,
      ...set(m2),
      ...forLoop(bt, i32(0), get(batch), one, [
        ...at(a, mul(get(bt), get(m), get(k))),
        ...set(aB),
        ...at(b, mul(get(bt), get(k), get(n))),
        ...set(bB),
        ...at(c, mul(get(bt), get(m), get(n))),
        ...set(cB),
        // Rows in pairs: full 16-column blocks two rows at a time, then each row's tail.
        ...forLoop(i, i32(0), get(m2), i32(2), [
          ...rowStart(get(i), aRow, cRow),
          ...rowStart(add(get(i), one), aRow2, cRow2),
          ...forLoop(j, i32(0), get(n16), i32(16), block16x2),
          ...rowTail,
          ...get(aRow2),
          ...set(aRow),
          ...get(cRow2),
          ...set(cRow),
          ...rowTail,
        ]),
        // An odd last row alone.
        ...forLoop(i, get(m2), get(m), one, [
          ...rowStart(get(i), aRow, cRow),
          ...forLoop(j, i32(0), get(n16), i32(16), block16),
          ...rowTail,
        ]),
      ]),
    ],
  };
}

/**
 * y [cols, rows] = x [rows, cols]ᵀ for each of `batch` matrices, eight rows
 * at a time so that each output write fills a contiguous run of 8 floats
 * while the 8 input rows stay in cache; leftover rows one by one.
 */
function transpose2d(): WasmFunction {
  const [x, y, batch, rows, cols] = [0, 1, 2, 3, 4];
  const [bt, r, c, src, dst, xB, yB, outStride, rows8, cols4] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const strides = [15, 16, 17, 18, 19, 20, 21]; // q · cols · 4 for q = 1..7
  const outStrides = [22, 23, 24]; // q · rows · 4 for q = 1..3
  const vin = Array.from({ length: 8 }, (_, q) => 25 + q); // 8 input rows × 4 floats
  const [t0, t1, t2, t3] = [33, 34, 35, 36];
  const one = i32(1);
  const advance = [...add(get(src), i32(4)), ...set(src), ...add(get(dst), get(outStride)), ...set(dst)];
  const rowAt = (q: number) => (q === 0 ? get(src) : add(get(src), get(strides[q - 1])));
  const outAt = (q: number) => (q === 0 ? get(dst) : add(get(dst), get(outStrides[q - 1])));
  const eight = Array.from({ length: 8 }, (_, q) => [
    ...get(dst),
    ...rowAt(q),
    ...op.f32Load(),
    ...op.f32Store(4 * q),
  ]).flat();
  // i8x16.shuffle picking float lanes (0–3 from the first vector, 4–7 from the second).
  const shuffle = (u: number, v: number, lanes: number[]) => [
    ...get(u),
    ...get(v),
    0xfd,
    0x0d,
    ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  ];
  // A 4×4 block of rows vin[h·4 .. h·4+3] transposed in registers, written as the
  // h-th 4-float half of four output rows.
  const block4x4 = (h: number) => {
    const [r0, r1, r2, r3] = vin.slice(4 * h, 4 * h + 4);
    return [
      ...shuffle(r0, r1, [0, 4, 1, 5]),
      ...set(t0),
      ...shuffle(r0, r1, [2, 6, 3, 7]),
      ...set(t1),
      ...shuffle(r2, r3, [0, 4, 1, 5]),
      ...set(t2),
      ...shuffle(r2, r3, [2, 6, 3, 7]),
      ...set(t3),
      ...[[t0, t2, [0, 1, 4, 5]], [t0, t2, [2, 3, 6, 7]], [t1, t3, [0, 1, 4, 5]], [t1, t3, [2, 3, 6, 7]]]
        .flatMap((
          [u, v, lanes],
          q,
        ) => [...outAt(q), ...shuffle(u as number, v as number, lanes as number[]), ...op.v128Store(16 * h)]),
    ];
  };
  return {
    name: "transpose2d",
    params: 5,
    locals: [{ type: I32, count: 20 }, { type: V128, count: 12 }],
    body: [
      ...mul(get(rows), i32(4)),
      ...set(outStride),
      ...get(rows),
      ...i32(-8),
      ...op.i32And,
      ...set(rows8),
      ...get(cols),
      ...i32(-4),
      ...op.i32And,
      ...set(cols4),
      ...strides.flatMap((sq, q) => [...mul(get(cols), i32(4 * (q + 1))), ...set(sq)]),
      ...outStrides.flatMap((sq, q) => [...mul(get(rows), i32(4 * (q + 1))), ...set(sq)]),
      ...forLoop(bt, i32(0), get(batch), one, [
        ...at(x, mul(get(bt), get(rows), get(cols))),
        ...set(xB),
        ...at(y, mul(get(bt), get(rows), get(cols))),
        ...set(yB),
        // Eight rows at a time: 8×4 blocks through registers, then the leftover columns one by one.
        ...forLoop(r, i32(0), get(rows8), i32(8), [
          ...at(xB, mul(get(r), get(cols))),
          ...set(src),
          ...at(yB, get(r)),
          ...set(dst),
          ...forLoop(c, i32(0), get(cols4), i32(4), [
            ...vin.flatMap((v, q) => [...rowAt(q), ...op.v128Load(), ...set(v)]),
            ...block4x4(0),
            ...block4x4(1),
            ...add(get(src), i32(16)),
            ...set(src),
            ...add(get(dst), get(outStrides[2])),
            ...get(outStride),
            ...op.i32Add,
            ...set(dst),
          ]),
          ...forLoop(c, get(cols4), get(cols), one, [...eight, ...advance]),
        ]),
        ...forLoop(r, get(rows8), get(rows), one, [
          ...at(xB, mul(get(r), get(cols))),
          ...set(src),
          ...at(yB, get(r)),
          ...set(dst),
          ...forLoop(c, i32(0), get(cols), one, [
            ...get(dst),
            ...get(src),
            ...op.f32Load(),
            ...op.f32Store(),
            ...advance,
          ]),
        ]),
      ]),
    ],
  };
}

/** y [batch, cols, rows, inner] = x [batch, rows, cols, inner] with the middle axes swapped. */
function transpose(vector: boolean): WasmFunction {
  const [x, y, batch, rows, cols, inner] = [0, 1, 2, 3, 4, 5];
  const [bt, r, c, e, xB, yB, src, dst, block] = [6, 7, 8, 9, 10, 11, 12, 13, 14];
  const one = i32(1);
  const copy = vector
    ? forLoop(e, i32(0), get(inner), i32(4), [
      ...at(dst, get(e)),
      ...at(src, get(e)),
      ...op.v128Load(),
      ...op.v128Store(),
    ])
    : forLoop(e, i32(0), get(inner), one, [
      ...at(dst, get(e)),
      ...at(src, get(e)),
      ...op.f32Load(),
      ...op.f32Store(),
    ]);
  return {
    name: vector ? "transposeVec" : "transposeScalar",
    params: 6,
    locals: [{ type: I32, count: 9 }],
    body: [
      ...mul(get(rows), get(cols), get(inner)),
      ...set(block),
      ...forLoop(bt, i32(0), get(batch), one, [
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
    ],
  };
}

/** y [inner] = Σ_i x[i, :] for x [outer, inner], rows added in order. */
function sumOuter(): WasmFunction {
  const [x, y, outer, inner] = [0, 1, 2, 3];
  const [i, j, row, n4, ad] = [4, 5, 6, 7, 8];
  const one = i32(1);
  return {
    name: "sumOuter",
    params: 4,
    locals: [{ type: I32, count: 5 }],
    body: [
      ...get(inner),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...forLoop(j, i32(0), get(inner), one, [...at(y, get(j)), ...zeroF, ...op.f32Store()]),
      ...forLoop(i, i32(0), get(outer), one, [
        ...at(x, mul(get(i), get(inner))),
        ...set(row),
        ...forLoop(j, i32(0), get(n4), i32(4), [
          ...at(y, get(j)),
          ...tee(ad),
          ...get(ad),
          ...op.v128Load(),
          ...at(row, get(j)),
          ...op.v128Load(),
          ...op.f32x4Add,
          ...op.v128Store(),
        ]),
        ...forLoop(j, get(n4), get(inner), one, [
          ...at(y, get(j)),
          ...tee(ad),
          ...get(ad),
          ...op.f32Load(),
          ...at(row, get(j)),
          ...op.f32Load(),
          ...op.f32Add,
          ...op.f32Store(),
        ]),
      ]),
    ],
  };
}

/** `count` blocks of `len` bytes: dst + i·dstStride ← src + i·srcStride (slices, splits, concats). */
function copyBlocks(): WasmFunction {
  const [src, dst, count, len, srcStride, dstStride] = [0, 1, 2, 3, 4, 5];
  const i = 6;
  return {
    name: "copyBlocks",
    params: 6,
    locals: [{ type: I32, count: 1 }],
    body: forLoop(i, i32(0), get(count), i32(1), [
      ...add(get(dst), mul(get(i), get(dstStride))),
      ...add(get(src), mul(get(i), get(srcStride))),
      ...get(len),
      ...op.memoryCopy,
    ]),
  };
}

/**
 * out [segments, rowLen] = Σ over i with ids[i] = s of x[i, :] (the gradient
 * of an embedding lookup); ids outside [0, segments) are dropped, as tfjs does.
 */
function segmentSum(): WasmFunction {
  const [x, ids, out, n, rowLen, segments] = [0, 1, 2, 3, 4, 5];
  const [i, j, id, row, dst, n4, ad] = [6, 7, 8, 9, 10, 11, 12];
  const one = i32(1);
  return {
    name: "segmentSum",
    params: 6,
    locals: [{ type: I32, count: 7 }],
    body: [
      ...get(rowLen),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...forLoop(j, i32(0), mul(get(segments), get(rowLen)), one, [
        ...at(out, get(j)),
        ...zeroF,
        ...op.f32Store(),
      ]),
      ...forLoop(i, i32(0), get(n), one, [
        ...at(ids, get(i)),
        ...op.i32Load(),
        ...tee(id),
        ...get(segments),
        ...op.i32LtU, // unsigned: also rejects negative ids
        ...op.ifThen([
          ...at(x, mul(get(i), get(rowLen))),
          ...set(row),
          ...at(out, mul(get(id), get(rowLen))),
          ...set(dst),
          ...forLoop(j, i32(0), get(n4), i32(4), [
            ...at(dst, get(j)),
            ...tee(ad),
            ...get(ad),
            ...op.v128Load(),
            ...at(row, get(j)),
            ...op.v128Load(),
            ...op.f32x4Add,
            ...op.v128Store(),
          ]),
          ...forLoop(j, get(n4), get(rowLen), one, [
            ...at(dst, get(j)),
            ...tee(ad),
            ...get(ad),
            ...op.f32Load(),
            ...at(row, get(j)),
            ...op.f32Load(),
            ...op.f32Add,
            ...op.f32Store(),
          ]),
        ]),
      ]),
    ],
  };
}

/**
 * LayerNorm over the last axis of x [rows, d]: y = x̂·w + b with
 * x̂ = (x − mean)·rstd, rstd = 1/√(var + eps); x̂ and rstd are kept for the
 * gradient. Scalar code: rows are short (d_model) and the op is memory-bound.
 */
function layerNormForward(): WasmFunction {
  const [x, w, b, y, xhat, rstd, rows, d, epsBits] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [r, j, row, outRow, hatRow] = [9, 10, 11, 12, 13];
  const [sum, mean, rs, invD, eps, t] = [14, 15, 16, 17, 18, 19];
  const one = i32(1);
  const xj = [...at(row, get(j)), ...op.f32Load()];
  return {
    name: "layerNormForward",
    params: 9,
    locals: [{ type: I32, count: 5 }, { type: F32, count: 6 }],
    body: [
      ...op.f32(1),
      ...get(d),
      ...op.f32ConvertI32S,
      ...op.f32Div,
      ...set(invD),
      // eps arrives as its float bits in an i32 parameter.
      ...get(epsBits),
      0xbe, // f32.reinterpret_i32
      ...set(eps),
      ...forLoop(r, i32(0), get(rows), one, [
        ...at(x, mul(get(r), get(d))),
        ...set(row),
        ...at(y, mul(get(r), get(d))),
        ...set(outRow),
        ...at(xhat, mul(get(r), get(d))),
        ...set(hatRow),
        ...zeroF,
        ...set(sum),
        ...forLoop(j, i32(0), get(d), one, [...get(sum), ...xj, ...op.f32Add, ...set(sum)]),
        ...get(sum),
        ...get(invD),
        ...op.f32Mul,
        ...set(mean),
        ...zeroF,
        ...set(sum),
        ...forLoop(j, i32(0), get(d), one, [
          ...xj,
          ...get(mean),
          ...op.f32Sub,
          ...tee(t),
          ...get(t),
          ...op.f32Mul,
          ...get(sum),
          ...op.f32Add,
          ...set(sum),
        ]),
        ...op.f32(1),
        ...get(sum),
        ...get(invD),
        ...op.f32Mul,
        ...get(eps),
        ...op.f32Add,
        ...op.f32Sqrt,
        ...op.f32Div,
        ...set(rs),
        ...at(rstd, get(r)),
        ...get(rs),
        ...op.f32Store(),
        ...forLoop(j, i32(0), get(d), one, [
          ...at(hatRow, get(j)),
          ...xj,
          ...get(mean),
          ...op.f32Sub,
          ...get(rs),
          ...op.f32Mul,
          ...tee(t),
          ...op.f32Store(),
          ...at(outRow, get(j)),
          ...get(t),
          ...at(w, get(j)),
          ...op.f32Load(),
          ...op.f32Mul,
          ...at(b, get(j)),
          ...op.f32Load(),
          ...op.f32Add,
          ...op.f32Store(),
        ]),
      ]),
    ],
  };
}

/**
 * LayerNorm's gradient from dy, x̂ and rstd: with g = dy·w,
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)); dw = Σ_rows dy·x̂; db = Σ_rows dy.
 */
function layerNormBackward(): WasmFunction {
  const [dy, xhat, rstd, w, dx, dw, db, rows, d] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [r, j, dyRow, hatRow, dxRow] = [9, 10, 11, 12, 13];
  const [m1, m2, invD, g, rs] = [14, 15, 16, 17, 18];
  const one = i32(1);
  const load = (base: number) => [...at(base, get(j)), ...op.f32Load()];
  const accumulate = (base: number, value: number[]) => [
    ...at(base, get(j)),
    ...load(base),
    ...value,
    ...op.f32Add,
    ...op.f32Store(),
  ];
  const gj = [...load(dyRow), ...load(w), ...op.f32Mul];
  return {
    name: "layerNormBackward",
    params: 9,
    locals: [{ type: I32, count: 5 }, { type: F32, count: 5 }],
    body: [
      ...op.f32(1),
      ...get(d),
      ...op.f32ConvertI32S,
      ...op.f32Div,
      ...set(invD),
      ...forLoop(j, i32(0), get(d), one, [
        ...at(dw, get(j)),
        ...zeroF,
        ...op.f32Store(),
        ...at(db, get(j)),
        ...zeroF,
        ...op.f32Store(),
      ]),
      ...forLoop(r, i32(0), get(rows), one, [
        ...at(dy, mul(get(r), get(d))),
        ...set(dyRow),
        ...at(xhat, mul(get(r), get(d))),
        ...set(hatRow),
        ...at(dx, mul(get(r), get(d))),
        ...set(dxRow),
        ...zeroF,
        ...set(m1),
        ...zeroF,
        ...set(m2),
        ...forLoop(j, i32(0), get(d), one, [
          ...gj,
          ...tee(g),
          ...get(m1),
          ...op.f32Add,
          ...set(m1),
          ...get(g),
          ...load(hatRow),
          ...op.f32Mul,
          ...get(m2),
          ...op.f32Add,
          ...set(m2),
          ...accumulate(dw, [...load(dyRow), ...load(hatRow), ...op.f32Mul]),
          ...accumulate(db, load(dyRow)),
        ]),
        ...get(m1),
        ...get(invD),
        ...op.f32Mul,
        ...set(m1),
        ...get(m2),
        ...get(invD),
        ...op.f32Mul,
        ...set(m2),
        ...at(rstd, get(r)),
        ...op.f32Load(),
        ...set(rs),
        ...forLoop(j, i32(0), get(d), one, [
          ...at(dxRow, get(j)),
          ...gj,
          ...get(m1),
          ...op.f32Sub,
          ...load(hatRow),
          ...get(m2),
          ...op.f32Mul,
          ...op.f32Sub,
          ...get(rs),
          ...op.f32Mul,
          ...op.f32Store(),
        ]),
      ]),
    ],
  };
}

/**
 * Elementwise over n floats, 4 at a time then one by one: `vec` and
 * `scalar` compute the value to store at out[i] from the element offset
 * i·4 held in local `ofs`.
 */
function elementwise(
  name: string,
  params: number,
  out: number,
  n: number,
  vec: (ofs: number) => number[],
  scalar: (ofs: number) => number[],
): WasmFunction {
  const [i, n4, ofs] = [params, params + 1, params + 2];
  const offsetOf = [...get(i), ...i32(2), ...op.i32Shl, ...set(ofs)];
  return {
    name,
    params,
    locals: [{ type: I32, count: 3 }],
    body: [
      ...get(n),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...forLoop(i, i32(0), get(n4), i32(4), [
        ...offsetOf,
        ...add(get(out), get(ofs)),
        ...vec(ofs),
        ...op.v128Store(),
      ]),
      ...forLoop(i, get(n4), get(n), i32(1), [
        ...offsetOf,
        ...add(get(out), get(ofs)),
        ...scalar(ofs),
        ...op.f32Store(),
      ]),
    ],
  };
}

/** GELU's sigmoid argument u = C·x·(1 + A·x²) (σ itself is XNNPACK's). */
function geluArgument(): WasmFunction {
  const [x, u, n] = [0, 1, 2];
  const v = (c: number) => [...op.f32(c), ...op.f32x4Splat];
  return elementwise(
    "geluArgument",
    3,
    u,
    n,
    (ofs) => {
      const xv = [...add(get(x), get(ofs)), ...op.v128Load()];
      return [
        ...xv,
        ...xv,
        ...op.f32x4Mul,
        ...v(GELU_A),
        ...op.f32x4Mul,
        ...v(1),
        ...op.f32x4Add,
        ...xv,
        ...op.f32x4Mul,
        ...v(GELU_C),
        ...op.f32x4Mul,
      ];
    },
    (ofs) => {
      const xs = [...add(get(x), get(ofs)), ...op.f32Load()];
      return [
        ...xs,
        ...xs,
        ...op.f32Mul,
        ...op.f32(GELU_A),
        ...op.f32Mul,
        ...op.f32(1),
        ...op.f32Add,
        ...xs,
        ...op.f32Mul,
        ...op.f32(GELU_C),
        ...op.f32Mul,
      ];
    },
  );
}

/** GELU's gradient dx = dy·(s + x·s·(1 − s)·C·(1 + 3A·x²)) with s = σ(u). */
function geluBackward(): WasmFunction {
  const [x, s, dy, dx, n] = [0, 1, 2, 3, 4];
  const build = (load: number[], c: (k: number) => number[], m: number[], a: number[], sub: number[]) =>
  (
    ofs: number,
  ) => {
    const X = [...add(get(x), get(ofs)), ...load];
    const S = [...add(get(s), get(ofs)), ...load];
    const DY = [...add(get(dy), get(ofs)), ...load];
    return [
      ...X,
      ...X,
      ...m,
      ...c(3 * GELU_A),
      ...m,
      ...c(1),
      ...a,
      ...c(GELU_C),
      ...m, // C(1 + 3A x²)
      ...X,
      ...m,
      ...S,
      ...m, // · x · s
      ...c(1),
      ...S,
      ...sub,
      ...m, // · (1 − s)
      ...S,
      ...a, // + s
      ...DY,
      ...m,
    ];
  };
  return elementwise(
    "geluBackward",
    5,
    dx,
    n,
    build(op.v128Load(), (k) => [...op.f32(k), ...op.f32x4Splat], op.f32x4Mul, op.f32x4Add, op.f32x4Sub),
    build(op.f32Load(), (k) => op.f32(k), op.f32Mul, op.f32Add, op.f32Sub),
  );
}

/**
 * One AdamW step on n floats, in the order of `optim/adamw.ts`: with
 * g = grad·scale, m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
 * p' = p − lr·((m'/c1) / (√(v'/c2) + eps) + wd·p). `scale` points at the
 * clipping factor (one float); the float hyper-parameters arrive as bits.
 */
function adamw(): WasmFunction {
  const [p, g, m, v, scalePtr, pOut, mOut, vOut, n] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const hyper = [9, 10, 11, 12, 13, 14, 15]; // beta1, beta2, c1, c2, eps, lr, wd (f32 bits)
  const [i, n4, ofs] = [16, 17, 18];
  const fl = [19, 20, 21, 22, 23, 24, 25, 26]; // beta1, beta2, c1, c2, eps, lr, wd, scale as f32
  const gl = 27, ml = 28; // per-element scratch (f32 / v128 by variant)
  const [vg, vm] = [29, 30];
  const splats = [31, 32, 33, 34, 35, 36, 37, 38];
  const [B1, B2, C1, C2, EPS, LR, WD, SCALE] = [0, 1, 2, 3, 4, 5, 6, 7];
  const off = (base: number) => add(get(base), get(ofs));
  const variant = (vector: boolean) => {
    const L = vector ? op.v128Load() : op.f32Load();
    const S = vector ? op.v128Store() : op.f32Store();
    const [M, A, SUB, D, SQ] = vector
      ? [op.f32x4Mul, op.f32x4Add, op.f32x4Sub, op.f32x4Div, op.f32x4Sqrt]
      : [op.f32Mul, op.f32Add, op.f32Sub, op.f32Div, op.f32Sqrt];
    const c = (which: number) => get(vector ? splats[which] : fl[which]);
    const one = vector ? [...op.f32(1), ...op.f32x4Splat] : op.f32(1);
    const [G, Mn] = vector ? [vg, vm] : [gl, ml];
    return [
      ...off(g),
      ...L,
      ...c(SCALE),
      ...M,
      ...set(G),
      // m'
      ...off(mOut),
      ...off(m),
      ...L,
      ...c(B1),
      ...M,
      ...one,
      ...c(B1),
      ...SUB,
      ...get(G),
      ...M,
      ...A,
      ...tee(Mn),
      ...S,
      // v' (kept on the stack through the store by recomputing its address)
      ...off(vOut),
      ...off(v),
      ...L,
      ...c(B2),
      ...M,
      ...one,
      ...c(B2),
      ...SUB,
      ...get(G),
      ...get(G),
      ...M,
      ...M,
      ...A,
      ...tee(G),
      ...S,
      // p'
      ...off(pOut),
      ...off(p),
      ...L,
      ...get(Mn),
      ...c(C1),
      ...D,
      ...get(G),
      ...c(C2),
      ...D,
      ...SQ,
      ...c(EPS),
      ...A,
      ...D,
      ...off(p),
      ...L,
      ...c(WD),
      ...M,
      ...A,
      ...c(LR),
      ...M,
      ...SUB,
      ...S,
    ];
  };
  const offsetOf = [...get(i), ...i32(2), ...op.i32Shl, ...set(ofs)];
  return {
    name: "adamw",
    params: 16,
    locals: [{ type: I32, count: 3 }, { type: F32, count: 10 }, { type: V128, count: 10 }],
    body: [
      ...hyper.flatMap((h, q) => [...get(h), 0xbe, ...set(fl[q])]),
      ...get(scalePtr),
      ...op.f32Load(),
      ...set(fl[SCALE]),
      ...fl.flatMap((f, q) => [...get(f), ...op.f32x4Splat, ...set(splats[q])]),
      ...get(n),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...forLoop(i, i32(0), get(n4), i32(4), [...offsetOf, ...variant(true)]),
      ...forLoop(i, get(n4), get(n), i32(1), [...offsetOf, ...variant(false)]),
    ],
  };
}

/**
 * y[r] = Σ (or max) of x[r, :] for x [rows, len]: four lanes, then the
 * lanes folded, then the leftover columns. For softmax-style row reductions.
 */
function reduceRows(kind: "sum" | "max"): WasmFunction {
  const [x, y, rows, len] = [0, 1, 2, 3];
  const [r, j, row, n4] = [4, 5, 6, 7];
  const [accV, acc] = [8, 9];
  const one = i32(1);
  const [vOp, sOp] = kind === "sum" ? [op.f32x4Add, op.f32Add] : [op.f32x4Max, op.f32Max];
  // The identity element: 0 for a sum; the row's first value for a max (rows are never empty).
  const initV = kind === "sum"
    ? [...zeroF, ...op.f32x4Splat]
    : [...get(row), ...op.f32Load(), ...op.f32x4Splat];
  return {
    name: kind === "sum" ? "rowSum" : "rowMax",
    params: 4,
    locals: [{ type: I32, count: 4 }, { type: V128, count: 1 }, { type: F32, count: 1 }],
    body: [
      ...get(len),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...forLoop(r, i32(0), get(rows), one, [
        ...at(x, mul(get(r), get(len))),
        ...set(row),
        ...initV,
        ...set(accV),
        ...forLoop(j, i32(0), get(n4), i32(4), [
          ...get(accV),
          ...at(row, get(j)),
          ...op.v128Load(),
          ...vOp,
          ...set(accV),
        ]),
        ...get(accV),
        ...op.f32x4ExtractLane(0),
        ...get(accV),
        ...op.f32x4ExtractLane(1),
        ...sOp,
        ...get(accV),
        ...op.f32x4ExtractLane(2),
        ...sOp,
        ...get(accV),
        ...op.f32x4ExtractLane(3),
        ...sOp,
        ...set(acc),
        ...forLoop(j, get(n4), get(len), one, [
          ...get(acc),
          ...at(row, get(j)),
          ...op.f32Load(),
          ...sOp,
          ...set(acc),
        ]),
        ...at(y, get(r)),
        ...get(acc),
        ...op.f32Store(),
      ]),
    ],
  };
}

/** Softmax's gradient per row of [rows, len]: dx = y·(dy − Σ dy·y), from the output y. */
function softmaxBackward(): WasmFunction {
  const [y, dy, dx, rows, len] = [0, 1, 2, 3, 4];
  const [r, j, base, n4, ofs] = [5, 6, 7, 8, 9];
  const [accV, sV] = [10, 11];
  const [acc] = [12];
  const one = i32(1);
  const addr = (ptr: number) => [...get(ptr), ...get(ofs), ...op.i32Add];
  const offsetOf = [...at(base, get(j)), ...set(ofs)];
  return {
    name: "softmaxBackward",
    params: 5,
    locals: [{ type: I32, count: 5 }, { type: V128, count: 2 }, { type: F32, count: 1 }],
    body: [
      ...get(len),
      ...i32(-4),
      ...op.i32And,
      ...set(n4),
      ...forLoop(r, i32(0), get(rows), one, [
        // base = r·len·4: a byte offset shared by y, dy and dx.
        ...mul(get(r), get(len), i32(4)),
        ...set(base),
        ...zeroF,
        ...op.f32x4Splat,
        ...set(accV),
        ...forLoop(j, i32(0), get(n4), i32(4), [
          ...offsetOf,
          ...get(accV),
          ...addr(y),
          ...op.v128Load(),
          ...addr(dy),
          ...op.v128Load(),
          ...op.f32x4Mul,
          ...op.f32x4Add,
          ...set(accV),
        ]),
        ...[0, 1, 2, 3].flatMap((
          lane,
        ) => [...get(accV), ...op.f32x4ExtractLane(lane), ...(lane ? op.f32Add : [])]),
        ...set(acc),
        ...forLoop(j, get(n4), get(len), one, [
          ...offsetOf,
          ...get(acc),
          ...addr(y),
          ...op.f32Load(),
          ...addr(dy),
          ...op.f32Load(),
          ...op.f32Mul,
          ...op.f32Add,
          ...set(acc),
        ]),
        ...get(acc),
        ...op.f32x4Splat,
        ...set(sV),
        ...forLoop(j, i32(0), get(n4), i32(4), [
          ...offsetOf,
          ...addr(dx),
          ...addr(y),
          ...op.v128Load(),
          ...addr(dy),
          ...op.v128Load(),
          ...get(sV),
          ...op.f32x4Sub,
          ...op.f32x4Mul,
          ...op.v128Store(),
        ]),
        ...forLoop(j, get(n4), get(len), one, [
          ...offsetOf,
          ...addr(dx),
          ...addr(y),
          ...op.f32Load(),
          ...addr(dy),
          ...op.f32Load(),
          ...get(acc),
          ...op.f32Sub,
          ...op.f32Mul,
          ...op.f32Store(),
        ]),
      ]),
    ],
  };
}

/** The kernels' module bytes (built once; small and deterministic). */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return emitModule([
    bmm(),
    transpose(true),
    transpose(false),
    transpose2d(),
    sumOuter(),
    copyBlocks(),
    segmentSum(),
    layerNormForward(),
    layerNormBackward(),
    geluArgument(),
    geluBackward(),
    adamw(),
    reduceRows("sum"),
    reduceRows("max"),
    softmaxBackward(),
  ]);
}

interface Exports {
  bmm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number): void;
  transposeVec(x: number, y: number, batch: number, rows: number, cols: number, inner: number): void;
  transposeScalar(x: number, y: number, batch: number, rows: number, cols: number, inner: number): void;
  transpose2d(x: number, y: number, batch: number, rows: number, cols: number): void;
  sumOuter(x: number, y: number, outer: number, inner: number): void;
  copyBlocks(
    src: number,
    dst: number,
    count: number,
    len: number,
    srcStride: number,
    dstStride: number,
  ): void;
  segmentSum(x: number, ids: number, out: number, n: number, rowLen: number, segments: number): void;
  layerNormForward(
    x: number,
    w: number,
    b: number,
    y: number,
    xhat: number,
    rstd: number,
    rows: number,
    d: number,
    epsBits: number,
  ): void;
  layerNormBackward(
    dy: number,
    xhat: number,
    rstd: number,
    w: number,
    dx: number,
    dw: number,
    db: number,
    rows: number,
    d: number,
  ): void;
  geluArgument(x: number, u: number, n: number): void;
  geluBackward(x: number, s: number, dy: number, dx: number, n: number): void;
  adamw(...args: number[]): void;
  rowSum(x: number, y: number, rows: number, len: number): void;
  rowMax(x: number, y: number, rows: number, len: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, len: number): void;
}

// The parts of tfjs-wasm's backend the kernels use.
interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  disposeData(id: unknown): void;
  incRef(id: unknown): void;
}

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
};
type KernelFn = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

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

let installed = false;
/** The stock kernels replaced by `installWasmKernels`, for `uninstallWasmKernels`. */
const replaced: tf.KernelConfig[] = [];
const added: string[] = [];

/**
 * Install the kernels over the wasm backend's stock ones. Call after
 * `tf.setBackend("wasm")` is ready; idempotent. Returns false (and
 * installs nothing) when `BLOCKEM_KERNELS=stock`.
 */
export function installWasmKernels(): boolean {
  if (Deno.env.get("BLOCKEM_KERNELS") === "stock") return false;
  if (installed) return true;
  const backend = tf.findBackend("wasm") as unknown as WasmBackendLike | null;
  if (!backend?.wasm?.asm?.memory) throw new Error("installWasmKernels: the wasm backend is not ready");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(kernelModuleBytes()), {
    env: { memory: backend.wasm.asm.memory },
  });
  const k = instance.exports as unknown as Exports;
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;

  const stock = (name: string): KernelFn => {
    const config = tf.getKernel(name, "wasm");
    if (!config) throw new Error(`tfjs-wasm has no ${name} kernel`);
    return config.kernelFunc as unknown as KernelFn;
  };
  const stockTranspose = stock("Transpose");
  const stockMatMul = stock("BatchMatMul");
  const stockSum = stock("Sum");
  const stockCast = stock("Cast");
  const stockSplit = stock("SplitV");
  const stockGather = stock("GatherV2");
  const stockConcat = stock("Concat");

  // tfjs-wasm copies on Identity and same-dtype Cast; share the buffer, as the cpu backend does.
  const identityKernel: KernelFn = ({ inputs: { x } }) => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  const castKernel: KernelFn = (args) =>
    args.attrs!.dtype === args.inputs.x.dtype && args.inputs.x.dtype !== "string"
      ? identityKernel(args)
      : stockCast(args);

  const transposeInfo = (x: tf.TensorInfo, dims: [number, number, number, number], outShape: number[]) => {
    const out = backend.makeOutput(outShape, x.dtype);
    const [batch, rows, cols, inner] = dims;
    if (inner === 1) k.transpose2d(offset(x), offset(out), batch, rows, cols);
    else {(inner % 4 === 0 ? k.transposeVec : k.transposeScalar)(
        offset(x),
        offset(out),
        batch,
        rows,
        cols,
        inner,
      );}
    return out;
  };
  // The last two axes of a rank ≥ 2 tensor swapped.
  const swapLast = (x: tf.TensorInfo) => {
    const s = x.shape;
    const r = s.length;
    return transposeInfo(x, [size(s.slice(0, r - 2)), s[r - 2], s[r - 1], 1], [
      ...s.slice(0, r - 2),
      s[r - 1],
      s[r - 2],
    ]);
  };

  const transposeKernel: KernelFn = (args) => {
    const x = args.inputs.x;
    const perm = args.attrs!.perm as number[];
    const dims = x.dtype === "float32" ? swapGroups(x.shape, perm) : null;
    if (!dims) return stockTranspose(args);
    return transposeInfo(x, dims, perm.map((p) => x.shape[p]));
  };

  const matMulKernel: KernelFn = (args) => {
    let { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== "float32" || b.dtype !== "float32") return stockMatMul(args);
    const ra = a.shape.length, rb = b.shape.length;
    const batchA = size(a.shape.slice(0, ra - 2)), batchB = size(b.shape.slice(0, rb - 2));
    // Broadcast batches are left to the stock kernel.
    if (batchA !== batchB || ra !== rb) return stockMatMul(args);
    if (!transposeA && !transposeB && batchA === 1) return stockMatMul(args);
    const temps: tf.TensorInfo[] = [];
    if (transposeA) temps.push(a = swapLast(a));
    if (transposeB) temps.push(b = swapLast(b));
    let out: tf.TensorInfo;
    if (batchA === 1) {
      const attrs = { ...args.attrs, transposeA: false, transposeB: false };
      out = stockMatMul({ ...args, inputs: { a, b }, attrs }) as tf.TensorInfo;
    } else {
      const m = a.shape[ra - 2], kk = a.shape[ra - 1], n = b.shape[rb - 1];
      out = backend.makeOutput([...a.shape.slice(0, ra - 2), m, n], "float32");
      k.bmm(offset(a), offset(b), offset(out), batchA, m, kk, n);
    }
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };

  // Reductions over leading axes (sums) or trailing axes (sums and maxima) of float32 tensors.
  const reduceKernel = (kind: "sum" | "max", stockReduce: KernelFn): KernelFn => (args) => {
    const x = args.inputs.x;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
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
      const out = backend.makeOutput(kept(rest), "float32");
      k.sumOuter(offset(x), offset(out), size(x.shape.slice(0, axes.length)), size(rest));
      return out;
    }
    if (trailing) {
      const lead = x.shape.slice(0, rank - axes.length);
      const out = backend.makeOutput(kept(lead), "float32");
      (kind === "sum" ? k.rowSum : k.rowMax)(offset(x), offset(out), size(lead), size(x.shape) / size(lead));
      return out;
    }
    return stockReduce(args);
  };
  const sumKernel = reduceKernel("sum", stockSum);
  const maxKernel = reduceKernel("max", stock("Max"));

  const splitKernel: KernelFn = (args) => {
    const x = args.inputs.x;
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const rank = x.shape.length, ax = axis < 0 ? axis + rank : axis, dim = x.shape[ax];
    const sizes = Array.isArray(numOrSizeSplits)
      ? numOrSizeSplits
      : Array.from({ length: numOrSizeSplits }, () => dim / numOrSizeSplits);
    if (x.dtype !== "float32" || sizes.some((s) => !(s > 0) || !Number.isInteger(s))) return stockSplit(args);
    if (sizes.reduce((a, b) => a + b, 0) !== dim) return stockSplit(args);
    const outer = size(x.shape.slice(0, ax)), inner = size(x.shape.slice(ax + 1));
    let start = 0;
    return sizes.map((s) => {
      const out = backend.makeOutput(x.shape.map((d, i) => (i === ax ? s : d)), "float32");
      k.copyBlocks(
        offset(x) + start * inner * 4,
        offset(out),
        outer,
        s * inner * 4,
        dim * inner * 4,
        s * inner * 4,
      );
      start += s;
      return out;
    });
  };

  const concatKernel: KernelFn = (args) => {
    const parts = Object.values(args.inputs);
    const rank = parts[0]?.shape.length ?? 0;
    const axis = args.attrs!.axis as number;
    const ax = axis < 0 ? axis + rank : axis;
    if (parts.length < 2 || parts.some((t) => t.dtype !== "float32" || size(t.shape) === 0)) {
      return stockConcat(args);
    }
    const outer = size(parts[0].shape.slice(0, ax)), inner = size(parts[0].shape.slice(ax + 1));
    const dim = parts.reduce((s, t) => s + t.shape[ax], 0);
    const out = backend.makeOutput(parts[0].shape.map((d, i) => (i === ax ? dim : d)), "float32");
    let start = 0;
    for (const t of parts) {
      const len = t.shape[ax] * inner * 4;
      k.copyBlocks(offset(t), offset(out) + start * inner * 4, outer, len, len, dim * inner * 4);
      start += t.shape[ax];
    }
    return out;
  };

  // Row lookups (embeddings): one block copy per index. Ids are checked here, as tfjs does.
  const gatherKernel: KernelFn = (args) => {
    const { x, indices } = args.inputs;
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    if (axis !== 0 || batchDims !== 0 || x.dtype !== "float32" || indices.dtype !== "int32") {
      return stockGather(args);
    }
    const n = size(indices.shape), rows = x.shape[0], rowBytes = size(x.shape.slice(1)) * 4;
    const ids = new Int32Array(backend.wasm.asm.memory.buffer, offset(indices), n);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], "float32");
    const base = offset(x), dst = offset(out);
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < rows)) {
        backend.disposeData(out.dataId);
        throw new RangeError(`GatherV2: index ${id} is not in [0, ${rows - 1}]`);
      }
      k.copyBlocks(base + id * rowBytes, dst + i * rowBytes, 1, rowBytes, 0, 0);
    }
    return out;
  };

  const segmentSumKernel: KernelFn = (args) => {
    const { x, segmentIds } = args.inputs;
    const segments = args.attrs!.numSegments as number;
    const out = backend.makeOutput([segments, ...x.shape.slice(1)], "float32");
    k.segmentSum(offset(x), offset(segmentIds), offset(out), x.shape[0], size(x.shape.slice(1)), segments);
    return out;
  };

  const float32 = (shape: number[]) => backend.makeOutput(shape, "float32");
  const layerNormKernel: KernelFn = ({ inputs: { x, w, b }, attrs }) => {
    const d = x.shape[x.shape.length - 1], rows = size(x.shape) / d;
    const y = float32(x.shape), xhat = float32(x.shape), rstd = float32([rows]);
    const epsBits = new Int32Array(new Float32Array([attrs!.eps as number]).buffer)[0];
    k.layerNormForward(
      offset(x),
      offset(w),
      offset(b),
      offset(y),
      offset(xhat),
      offset(rstd),
      rows,
      d,
      epsBits,
    );
    return [y, xhat, rstd];
  };
  const layerNormGradKernel: KernelFn = ({ inputs: { dy, xhat, rstd, w } }) => {
    const d = dy.shape[dy.shape.length - 1], rows = size(dy.shape) / d;
    const dx = float32(dy.shape), dw = float32([d]), db = float32([d]);
    k.layerNormBackward(
      offset(dy),
      offset(xhat),
      offset(rstd),
      offset(w),
      offset(dx),
      offset(dw),
      offset(db),
      rows,
      d,
    );
    return [dx, dw, db];
  };
  const geluArgumentKernel: KernelFn = ({ inputs: { x } }) => {
    const u = float32(x.shape);
    k.geluArgument(offset(x), offset(u), size(x.shape));
    return u;
  };
  const geluGradKernel: KernelFn = ({ inputs: { x, s, dy } }) => {
    const dx = float32(x.shape);
    k.geluBackward(offset(x), offset(s), offset(dy), offset(dx), size(x.shape));
    return dx;
  };

  const bits = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0];
  const adamwKernel: KernelFn = ({ inputs: { p, g, m, v, scale }, attrs }) => {
    const a = attrs as Record<string, number>;
    const [pOut, mOut, vOut] = [float32(p.shape), float32(p.shape), float32(p.shape)];
    const hyper = [a.beta1, a.beta2, a.c1, a.c2, a.eps, a.lr, a.weightDecay].map(bits);
    k.adamw(
      offset(p),
      offset(g),
      offset(m),
      offset(v),
      offset(scale),
      offset(pOut),
      offset(mOut),
      offset(vOut),
      size(p.shape),
      ...hyper,
    );
    return [pOut, mOut, vOut];
  };

  const softmaxGradKernel: KernelFn = ({ inputs: { y, dy } }) => {
    const len = y.shape[y.shape.length - 1];
    const dx = float32(y.shape);
    k.softmaxBackward(offset(y), offset(dy), offset(dx), size(y.shape) / len, len);
    return dx;
  };

  for (
    const [name, kernelFunc] of [
      ["Transpose", transposeKernel],
      ["BatchMatMul", matMulKernel],
      ["Sum", sumKernel],
      ["Max", maxKernel],
      ["Identity", identityKernel],
      ["Cast", castKernel],
      ["SplitV", splitKernel],
      ["Concat", concatKernel],
      ["UnsortedSegmentSum", segmentSumKernel],
      ["GatherV2", gatherKernel],
      [FUSED.layerNorm, layerNormKernel],
      [FUSED.layerNormGrad, layerNormGradKernel],
      [FUSED.geluArgument, geluArgumentKernel],
      [FUSED.geluGrad, geluGradKernel],
      [FUSED.adamw, adamwKernel],
      [FUSED.softmaxGrad, softmaxGradKernel],
    ] as const
  ) {
    const previous = tf.getKernel(name, "wasm");
    if (previous) {
      replaced.push(previous);
      tf.unregisterKernel(name, "wasm");
    }
    added.push(name);
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
  }
  installed = true;
  return true;
}

/** Put the stock kernels back (tests compare both paths in one process). */
export function uninstallWasmKernels(): void {
  for (const name of added.splice(0)) tf.unregisterKernel(name, "wasm");
  for (const config of replaced.splice(0)) tf.registerKernel(config);
  installed = false;
}
