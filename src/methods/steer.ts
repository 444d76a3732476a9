/**
 * Baseline, preventative steering: the misalignment direction (the selected
 * latents' signed decoder directions) added during training, α in units of
 * the mean activation norm at the site.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setDirection } from "../features/induce_repair.ts";
import { latentDirections } from "../features/sae_features.ts";
import { latentInputs, withDiscovery } from "./latents.ts";
import type { Method } from "./method.ts";

export const STEER: Method = {
  name: "steer",
  group: "baseline",
  summary: "preventative steering toward the misalignment direction",
  strength: "alpha",
  settings: (cfg) => cfg.experiment.steerAlphas.map((alpha) => ({ alpha })),
  inputs: (run, key) => latentInputs(run, key),
  setup: (ctx, params) =>
    withDiscovery(ctx, async (d) => {
      const dirs = await latentDirections(d.sae.params, d.selected.latents);
      const direction = tf.tensor1d(setDirection(dirs, d.selected.signs));
      return {
        terms: {
          interventions: [{
            kind: "add",
            site: d.found.site,
            direction,
            scale: params.alpha * d.found.meanActivationNorm,
          }],
        },
        persona: "<assistant>",
        record: { latents: d.selected.latents, alpha: params.alpha },
        dispose: () => direction.dispose(),
      };
    }),
};
