/** Ablation: the largest top-Δ shifts without causal validation, as many as BLOCK holds. */
import { discoveryOnlyLatents } from "../features/latent_selection.ts";
import { blockLatents, latentInputs, selectedTopK, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

export const DISCOVERY_ONLY: Method = {
  name: "discovery-only",
  group: "ablation",
  summary: "the top-Δ latents without induce/repair validation",
  settings: atLambda,
  inputs: (run, key) => latentInputs(run, key),
  setup: (ctx, params) =>
    withDiscovery(ctx, (d) => {
      const set = discoveryOnlyLatents(
        d.found.site,
        d.found.candidates,
        selectedTopK(d, params).latents.length,
      );
      return blockLatents(ctx, d, set, params);
    }),
};
