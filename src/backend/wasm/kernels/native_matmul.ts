/**
 * Matrix products on native BLAS (`../../native/openblas.ts`), called on the
 * wasm backend's memory: `BatchMatMul` and `_FusedMatMul` (a bias, no
 * activation) route here from their adapters when a BLAS is loaded (batched
 * products from a size up: see `NATIVE_MIN_BATCHED_MACS`).
 * Transposed operands need no copy: BLAS reads them in place.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Sgemm } from "../../native/openblas.ts";
import { type KernelContext, size } from "./shared.ts";

/**
 * Products with a batch go to BLAS only when each is at least this many
 * multiply-adds, so attention's per-head products at the organism's sizes
 * stay on blockem's wasm kernel. Measured since (one OpenBLAS thread, one
 * FFI call per product, 2 cores): BLAS is faster there too, 318 against
 * 568 µs for 128 products of 64×16×64 and 207 against 603 µs for 32 of
 * 64×64×64, so lowering this is the next speed step. It changes rounding,
 * so it waits for the next regeneration of the recorded results, which
 * were made with this threshold.
 */
export const NATIVE_MIN_BATCHED_MACS = 1 << 18;

/** The operands' shapes as one product: [batch, m, k] · [batch, k, n]. */
export interface ProductShape {
  batch: number;
  m: number;
  k: number;
  n: number;
}

/** The product's shape when a and b are a plain (non-broadcast) batch of matrices, else undefined. */
export function productShape(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): ProductShape | undefined {
  const ra = a.shape.length, rb = b.shape.length;
  if (ra !== rb || ra < 2) return undefined;
  const batch = size(a.shape.slice(0, ra - 2));
  if (batch !== size(b.shape.slice(0, rb - 2))) return undefined;
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  return { batch, m, k, n };
}

/** Whether a product of this shape runs on BLAS. */
export function wantsNative(p: ProductShape): boolean {
  return p.batch === 1 || p.m * p.k * p.n >= NATIVE_MIN_BATCHED_MACS;
}

/** c[t] = op(a[t]) · op(b[t]) (+ bias on every row) into a new tensor of shape [...batch, m, n]. */
export function nativeProduct(
  ctx: Pick<KernelContext<unknown>, "float32" | "view">,
  sgemm: Sgemm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  p: ProductShape,
  bias?: tf.TensorInfo,
): tf.TensorInfo {
  const out = ctx.float32([...a.shape.slice(0, a.shape.length - 2), p.m, p.n]);
  const { batch, m, k, n } = p;
  // Views after the output exists: allocating it may have grown (and so replaced) the memory's buffer.
  const av = ctx.view(a), bv = ctx.view(b), cv = ctx.view(out);
  if (bias) {
    const row = ctx.view(bias, n);
    for (let r = 0; r < batch * m; r++) cv.set(row, r * n);
  }
  for (let t = 0; t < batch; t++) {
    sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      av.subarray(t * m * k, (t + 1) * m * k),
      bv.subarray(t * k * n, (t + 1) * k * n),
      bias ? 1 : 0,
      cv.subarray(t * m * n, (t + 1) * m * n),
    );
  }
  return out;
}
