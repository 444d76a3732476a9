/** Ablations: BLOCK on one side of the selection only, K+ (rose under EM) or K− (fell). */
import type { LatentSet } from "../features/sae_features.ts";
import { blockLatents, latentInputs, withDiscovery } from "./latents.ts";
import { atLambda, type Method } from "./method.ts";

/** The latents of `set` with sign `want`; throws when there are none. */
export function oneSide(set: LatentSet, want: 1 | -1): LatentSet {
  const keep = set.latents.map((_, i) => i).filter((i) => set.signs[i] === want);
  if (keep.length === 0) throw new RangeError(`The selection has no ${want > 0 ? "K+" : "K−"} latents`);
  return { site: set.site, latents: keep.map((i) => set.latents[i]), signs: keep.map(() => want) };
}

function oneSideMethod(name: string, want: 1 | -1, summary: string): Method {
  return {
    name,
    group: "ablation",
    summary,
    settings: atLambda,
    inputs: (run, key) => latentInputs(run, key),
    setup: (ctx, params) =>
      withDiscovery(ctx, (d) => blockLatents(ctx, d, oneSide(d.selected, want), params)),
  };
}

export const KPLUS_ONLY: Method = oneSideMethod("kplus-only", 1, "BLOCK on K+ only");
export const KMINUS_ONLY: Method = oneSideMethod("kminus-only", -1, "BLOCK on K− only");
