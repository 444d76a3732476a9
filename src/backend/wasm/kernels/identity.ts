/**
 * `Identity`, and `Cast` to the same dtype, share the input's buffer (a
 * reference count) instead of copying it, as tfjs's cpu backend does;
 * tfjs-wasm copies. Other casts go to the stock kernel. No wasm.
 * @module
 */
import { defineKernels, type KernelContext, type KernelFn } from "./shared.ts";

const share = (ctx: KernelContext<unknown>): KernelFn => ({ inputs: { x } }) => {
  ctx.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** The kernel definition: `Identity` and `Cast`. */
export const identityKernels = defineKernels({
  wasm: {},
  kernels: {
    Identity: share,
    Cast: (ctx) => {
      const stock = ctx.stock("Cast"), identity = share(ctx);
      return (args) =>
        args.attrs!.dtype === args.inputs.x.dtype && args.inputs.x.dtype !== "string"
          ? identity(args)
          : stock(args);
    },
  },
});
