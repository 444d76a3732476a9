/** Ablation: the selected latents with their signs shuffled (seeded), so the hinge pushes the wrong way. */
import { deriveSeed, Rng } from "../core/rng.ts";
import { blockLatents, latentInputs, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

/** A seeded shuffle of the signs that differs from the original whenever both signs occur. */
export function shuffledSigns(signs: readonly number[], seed: number): number[] {
  const rng = new Rng(seed);
  const mixed = new Set(signs).size > 1;
  for (let i = 0; i < 100; i++) {
    const s = rng.shuffle(signs);
    if (!mixed || s.some((x, j) => x !== signs[j])) return s;
  }
  return signs.map((x) => -x);
}

export const SHUFFLED_SIGNS: Method = {
  name: "shuffled-signs",
  group: "ablation",
  summary: "the selected latents with shuffled signs",
  settings: atLambda,
  inputs: (run, key) => latentInputs(run, key),
  setup: (ctx, params) =>
    withDiscovery(ctx, (d) => {
      const seed = deriveSeed(ctx.run.config.random.seed, "shuffled-signs");
      return blockLatents(ctx, d, { ...d.selected, signs: shuffledSigns(d.selected.signs, seed) }, params);
    }),
};
