/** Baseline LDIFS: λ · ‖hθ − hbase‖² at every layer's residual stream. */
import { blockSite } from "../runs/paths.ts";
import { type Method, plainSetup } from "./method.ts";

export const LDIFS: Method = {
  name: "ldifs",
  group: "baseline",
  summary: "LDIFS: feature-space distance to the base at every layer",
  strength: "weight",
  settings: (cfg) => cfg.experiment.ldifsWeights.map((weight) => ({ weight })),
  inputs: () => [],
  setup(ctx, params) {
    const sites = Array.from({ length: ctx.model.nLayers }, (_, l) => blockSite(l));
    return Promise.resolve(
      plainSetup({ ldifs: { sites, weight: params.weight } }, { weight: params.weight, sites }),
    );
  },
};
