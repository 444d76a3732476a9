/**
 * Fix for re-emergence: BLOCK at the block layer and at every layer after
 * it, each layer's selected latents read through its own SAE.
 * @module
 */
import type { BlockConstraint } from "../training/finetune.ts";
import type { RunConfig } from "../config/schema.ts";
import { latentFeatureMap } from "../features/sae_features.ts";
import { latentInputs, selectedTopK, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

/** The layers `block-layers` blocks: the block layer and every layer after it. */
export function blockLayers(cfg: RunConfig): number[] {
  return Array.from({ length: cfg.model.nLayers - cfg.discover.layer }, (_, i) => cfg.discover.layer + i);
}

export const BLOCK_LAYERS: Method = {
  name: "block-layers",
  group: "fix",
  summary: "BLOCK at the block layer and every later layer",
  settings: atLambda,
  inputs: (run, key) => blockLayers(run.config).flatMap((layer) => latentInputs(run, key, layer)),
  async setup(ctx, params) {
    const readout = ctx.run.config.block.readout;
    const blocks: BlockConstraint[] = [];
    const record: Record<string, unknown>[] = [];
    try {
      for (const layer of blockLayers(ctx.run.config)) {
        await withDiscovery(ctx, async (d) => {
          const set = selectedTopK(d, params);
          blocks.push({
            features: await latentFeatureMap(d.sae.params, d.sae.config, set, readout),
            lambda: params.lambda,
          });
          record.push({ ...set, saeSha256: d.sae.hash });
        }, layer);
      }
    } catch (err) {
      for (const b of blocks) b.features.dispose();
      throw err;
    }
    return {
      terms: { block: blocks },
      persona: "<assistant>",
      record: { layers: record, lambda: params.lambda, readout },
      dispose: () => blocks.forEach((b) => b.features.dispose()),
    };
  },
};
