/**
 * `UnsortedSegmentSum`, which tfjs-wasm does not have: the gradient of an
 * embedding lookup (`GatherV2`). Added, not replaced.
 * @module
 */
import { alignDown, at, code, forLoop, func, mul, op } from "../emit.ts";
import { defineKernels, size } from "./shared.ts";

const { get, set, tee, i32 } = op;
const one = i32(1);

/**
 * out [segments, rowLen] = Σ over i with ids[i] = s of x[i, :]; ids outside
 * [0, segments) are dropped, as tfjs does.
 */
function segmentSum(name: string) {
  const fn = func(name, ["x", "ids", "out", "n", "rowLen", "segments"]);
  const { x, ids, out, n, rowLen, segments } = fn.param;
  const i = fn.i32(),
    j = fn.i32(),
    id = fn.i32(),
    row = fn.i32(),
    dst = fn.i32(),
    n4 = fn.i32(),
    ad = fn.i32();
  // dst[j] += row[j], as `load`, `add`, `store` (4 lanes or 1).
  const addRow = (load: number[], sum: number[], store: number[]) =>
    code(at(dst, get(j)), tee(ad), get(ad), load, at(row, get(j)), load, sum, store);
  return fn.finish(
    alignDown(rowLen, 4),
    set(n4),
    forLoop(j, i32(0), mul(get(segments), get(rowLen)), one, code(at(out, get(j)), op.f32(0), op.f32Store())),
    forLoop(i, i32(0), get(n), one, [
      ...code(at(ids, get(i)), op.i32Load(), tee(id), get(segments)),
      ...op.i32LtU, // unsigned: also rejects negative ids
      ...op.ifThen([
        ...code(at(x, mul(get(i), get(rowLen))), set(row), at(out, mul(get(id), get(rowLen))), set(dst)),
        ...forLoop(j, i32(0), get(n4), i32(4), addRow(op.v128Load(), op.f32x4Add, op.v128Store())),
        ...forLoop(j, get(n4), get(rowLen), one, addRow(op.f32Load(), op.f32Add, op.f32Store())),
      ]),
    ]),
  );
}

/** The kernel definition: `UnsortedSegmentSum`. */
export const segmentSumKernels = defineKernels({
  wasm: { segmentSum },
  kernels: {
    UnsortedSegmentSum: (ctx) => (args) => {
      const { x, segmentIds } = args.inputs;
      const segments = args.attrs!.numSegments as number;
      const out = ctx.float32([segments, ...x.shape.slice(1)]);
      ctx.exports.segmentSum(
        ctx.offset(x),
        ctx.offset(segmentIds),
        ctx.offset(out),
        x.shape[0],
        size(x.shape.slice(1)),
        segments,
      );
      return out;
    },
  },
});
