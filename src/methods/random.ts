/**
 * The random control: features of the same kind, count and signs as BLOCK's,
 * drawn with a seed per draw (SAE latents outside the selection, or random
 * unit directions under `discover.features = "diffmeans"`), at the same λ.
 * @module
 */
import { randomDirectionSet } from "../features/random_directions.ts";
import { randomLatentSet } from "../features/sae_features.ts";
import { blockDirections, blocksDirections, featureInputs, readDirections } from "./block.ts";
import { blockLatents, randomControlSeed, selectedTopK, withDiscovery } from "./latents.ts";
import type { Method } from "./method.ts";

export const RANDOM: Method = {
  name: "random",
  group: "ablation",
  summary: "random features of the same kind, count and signs (draw i)",
  settings: (cfg, lambda) => Array.from({ length: cfg.random.draws }, (_, draw) => ({ lambda, draw })),
  inputs: (run, key) => featureInputs(run, key),
  async setup(ctx, params) {
    const seed = randomControlSeed(ctx.run.config.random.seed, params.draw ?? 0);
    if (blocksDirections(ctx.run)) {
      return blockDirections(randomDirectionSet(await readDirections(ctx.run, ctx.key), seed), params.lambda);
    }
    return await withDiscovery(ctx, (d) => {
      const set = randomLatentSet(selectedTopK(d, params), d.sae.config.dSae, d.found.latents, seed);
      return blockLatents(ctx, d, set, params);
    });
  },
};
