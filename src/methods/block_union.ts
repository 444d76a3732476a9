/** Fix for re-emergence: BLOCK on the selected latents ∪ those rediscovered on a re-emerged model. */
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import { latentUnion } from "../features/sae_features.ts";
import { LATENT_SET_FILE } from "../runs/file_schemas.ts";
import { runPaths } from "../runs/paths.ts";
import { blockLatents, latentInputs, selectedTopK, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

export const BLOCK_UNION: Method = {
  name: "block-union",
  group: "fix",
  summary: "BLOCK on the selected ∪ rediscovered latents",
  settings: atLambda,
  inputs: (run, key) => [...latentInputs(run, key), runPaths(run.profile, key).rerouteLatents],
  setup: (ctx, params) =>
    withDiscovery(ctx, async (d) => {
      const file = runPaths(ctx.run.profile, ctx.key).rerouteLatents;
      const rediscovered = await readJsonValidated(join(ctx.run.root, file), LATENT_SET_FILE);
      const outside = rediscovered.latents.find((l) => l >= d.sae.config.dSae);
      if (outside !== undefined || rediscovered.site !== d.sae.config.site) {
        throw new RangeError(
          outside !== undefined
            ? `${file}: latent ${outside} is outside the SAE (latents 0..${d.sae.config.dSae - 1})`
            : `${file}: site '${rediscovered.site}' is not the SAE's site '${d.sae.config.site}'`,
        );
      }
      return blockLatents(ctx, d, latentUnion(selectedTopK(d, params), rediscovered), params);
    }),
};
