/** Baseline: λ · KL(base ‖ θ) of next-token distributions at trained positions. */
import { type Method, plainSetup } from "./method.ts";

export const KL: Method = {
  name: "kl",
  group: "baseline",
  summary: "KL to the base model",
  strength: "weight",
  settings: (cfg) => cfg.experiment.klWeights.map((weight) => ({ weight })),
  inputs: () => [],
  setup: (_ctx, params) => Promise.resolve(plainSetup({ kl: params.weight }, { weight: params.weight })),
};
