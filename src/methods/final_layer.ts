/** Ablation: BLOCK with discovery and the SAE at the model's final layer instead of the block layer. */
import { blockLatents, latentInputs, selectedTopK, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

export const FINAL_LAYER: Method = {
  name: "final-layer",
  group: "ablation",
  summary: "BLOCK at the final layer",
  settings: atLambda,
  inputs: (run, key) => latentInputs(run, key, run.config.model.nLayers - 1),
  setup: (ctx, params) =>
    withDiscovery(
      ctx,
      (d) => blockLatents(ctx, d, selectedTopK(d, params), params),
      ctx.run.config.model.nLayers - 1,
    ),
};
