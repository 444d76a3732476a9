/** Fix for re-emergence: BLOCK with every parameter after the block layer held at the base's values. */
import { paramsAfter } from "../models/model.ts";
import { blockLatents, latentInputs, selectedTopK, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

export const BLOCK_FREEZE: Method = {
  name: "block-freeze",
  group: "fix",
  summary: "BLOCK with the layers after the block layer frozen",
  settings: atLambda,
  inputs: (run, key) => latentInputs(run, key),
  setup: (ctx, params) =>
    withDiscovery(ctx, (d) => {
      const frozen = paramsAfter(ctx.model, ctx.run.config.discover.layer);
      return blockLatents(ctx, d, selectedTopK(d, params), params, frozen);
    }),
};
