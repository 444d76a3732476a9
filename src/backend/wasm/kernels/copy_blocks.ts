/**
 * `SplitV`, `Concat` and `GatherV2` (axis 0: embedding lookups) of float32
 * tensors as strided block copies with `memory.copy`, where tfjs-wasm's
 * stock kernels copy element by element. Other cases go to the stock
 * kernels. (`Slice` is not replaced.)
 * @module
 */
import { add, forLoop, func, mul, op } from "../emit.ts";
import { defineKernels, size } from "./shared.ts";

const { get, i32 } = op;

/** `count` blocks of `len` bytes: dst + i·dstStride ← src + i·srcStride. */
function copyBlocks(name: string) {
  const fn = func(name, ["src", "dst", "count", "len", "srcStride", "dstStride"]);
  const { src, dst, count, len, srcStride, dstStride } = fn.param;
  const i = fn.i32();
  return fn.finish(
    forLoop(i, i32(0), get(count), i32(1), [
      ...add(get(dst), mul(get(i), get(dstStride))),
      ...add(get(src), mul(get(i), get(srcStride))),
      ...get(len),
      ...op.memoryCopy,
    ]),
  );
}

/** The kernel definition: `SplitV`, `Concat` and `GatherV2`. */
export const copyBlocksKernels = defineKernels({
  wasm: { copyBlocks },
  kernels: {
    SplitV: (ctx) => {
      const stock = ctx.stock("SplitV");
      const { copyBlocks } = ctx.exports;
      return (args) => {
        const x = args.inputs.x;
        const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
        const rank = x.shape.length, ax = axis < 0 ? axis + rank : axis, dim = x.shape[ax];
        const sizes = Array.isArray(numOrSizeSplits)
          ? numOrSizeSplits
          : Array.from({ length: numOrSizeSplits }, () => dim / numOrSizeSplits);
        if (x.dtype !== "float32" || sizes.some((s) => !(s > 0) || !Number.isInteger(s))) return stock(args);
        if (sizes.reduce((a, b) => a + b, 0) !== dim) return stock(args);
        const outer = size(x.shape.slice(0, ax)), inner = size(x.shape.slice(ax + 1));
        let start = 0;
        return sizes.map((s) => {
          const out = ctx.float32(x.shape.map((d, i) => (i === ax ? s : d)));
          copyBlocks(
            ctx.offset(x) + start * inner * 4,
            ctx.offset(out),
            outer,
            s * inner * 4,
            dim * inner * 4,
            s * inner * 4,
          );
          start += s;
          return out;
        });
      };
    },

    Concat: (ctx) => {
      const stock = ctx.stock("Concat");
      const { copyBlocks } = ctx.exports;
      return (args) => {
        const parts = Object.values(args.inputs);
        const rank = parts[0]?.shape.length ?? 0;
        const axis = args.attrs!.axis as number;
        const ax = axis < 0 ? axis + rank : axis;
        if (parts.length < 2 || parts.some((t) => t.dtype !== "float32" || size(t.shape) === 0)) {
          return stock(args);
        }
        const outer = size(parts[0].shape.slice(0, ax)), inner = size(parts[0].shape.slice(ax + 1));
        const dim = parts.reduce((s, t) => s + t.shape[ax], 0);
        const out = ctx.float32(parts[0].shape.map((d, i) => (i === ax ? dim : d)));
        let start = 0;
        for (const t of parts) {
          const len = t.shape[ax] * inner * 4;
          copyBlocks(ctx.offset(t), ctx.offset(out) + start * inner * 4, outer, len, len, dim * inner * 4);
          start += t.shape[ax];
        }
        return out;
      };
    },

    // Row lookups: one block copy per index. Ids are checked here, as tfjs does.
    GatherV2: (ctx) => {
      const stock = ctx.stock("GatherV2");
      const { copyBlocks } = ctx.exports;
      return (args) => {
        const { x, indices } = args.inputs;
        const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
        if (axis !== 0 || batchDims !== 0 || x.dtype !== "float32" || indices.dtype !== "int32") {
          return stock(args);
        }
        const n = size(indices.shape), rows = x.shape[0], rowBytes = size(x.shape.slice(1)) * 4;
        const out = ctx.float32([...indices.shape, ...x.shape.slice(1)]);
        // A view taken after the allocation: allocating may grow the memory, which detaches older views.
        const ids = new Int32Array(ctx.backend.wasm.asm.memory.buffer, ctx.offset(indices), n);
        const base = ctx.offset(x), dst = ctx.offset(out);
        for (let i = 0; i < n; i++) {
          const id = ids[i];
          if (!(id >= 0 && id < rows)) {
            ctx.backend.disposeData(out.dataId);
            throw new RangeError(`GatherV2: index ${id} is not in [0, ${rows - 1}]`);
          }
          copyBlocks(base + id * rowBytes, dst + i * rowBytes, 1, rowBytes, 0, 0);
        }
        return out;
      };
    },
  },
});
