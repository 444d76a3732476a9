/**
 * BLOCK and its random control with a fixed readout (`block-encoder`,
 * `random-encoder`, `block-decoder`, `random-decoder`): with
 * `block.compareReadouts`, the main grid runs the readout other than the
 * run's own through these, each at the λ chosen for that readout, beside
 * `block` and `random`.
 * @module
 */
import { type Readout, READOUTS, withReadout } from "../runs/readouts.ts";
import { BLOCK } from "./block.ts";
import type { Method } from "./method.ts";
import { RANDOM } from "./random.ts";

/** `method` reading latents through `readout` whatever the run's own readout. */
function fixedReadout(method: Method, readout: Readout): Method {
  return {
    ...method,
    name: `${method.name}-${readout}`,
    group: "readout",
    summary: `${method.summary}, read through the SAE's ${readout}`,
    setup: (ctx, params) => method.setup({ ...ctx, run: withReadout(ctx.run, readout) }, params),
  };
}

/** Every fixed-readout method, BLOCK's then the random control's for each readout. */
export const READOUT_METHODS: readonly Method[] = READOUTS.flatMap((r) => [
  fixedReadout(BLOCK, r),
  fixedReadout(RANDOM, r),
]);
