/** Baseline CAFT: the selected latents' decoder directions projected out of the training forward pass. */
import * as tf from "@tensorflow/tfjs";
import { orthonormalBasis } from "../analysis/subspace.ts";
import { latentDirections } from "../features/sae_features.ts";
import { latentInputs, withDiscovery } from "./latents.ts";
import { type Method, noSettings } from "./method.ts";

/** Rows made orthonormal (Gram–Schmidt; near-dependent rows are dropped), as a tensor [r, d]. */
export function orthonormalRows(rows: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(orthonormalBasis(rows));
}

export const CAFT: Method = {
  name: "caft",
  group: "baseline",
  summary: "CAFT: the found directions projected out during training",
  settings: noSettings,
  inputs: (run, key) => latentInputs(run, key),
  setup: (ctx) =>
    withDiscovery(ctx, async (d) => {
      const directions = orthonormalRows(await latentDirections(d.sae.params, d.selected.latents));
      return {
        terms: { interventions: [{ kind: "project_out", site: d.found.site, directions }] },
        persona: "<assistant>",
        record: { latents: d.selected.latents },
        dispose: () => directions.dispose(),
      };
    }),
};
