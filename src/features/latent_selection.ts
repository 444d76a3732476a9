/**
 * Ranked selection (the paper's step 3): keep the k best validated
 * latents and split them by sign into K+ (rose under EM) and K− (fell).
 * @module
 */
import type { CandidateScore } from "./induce_repair.ts";
import type { LatentSet } from "./sae_features.ts";
import type { LatentShift } from "./top_delta.ts";

/** The selected latents and how they split. */
export interface LatentSelection extends LatentSet {
  kPlus: number[];
  kMinus: number[];
}

function split(site: string, chosen: readonly { latent: number; delta: number }[]): LatentSelection {
  const latents = chosen.map((c) => c.latent);
  const signs = chosen.map((c) => (c.delta >= 0 ? 1 : -1));
  return {
    site,
    latents,
    signs,
    kPlus: latents.filter((_, i) => signs[i] === 1),
    kMinus: latents.filter((_, i) => signs[i] === -1),
  };
}

/**
 * The k highest-scoring candidates with score ≥ minEffect (ties by latent
 * index). Throws when none passes: blocking nothing would be a silent no-op.
 */
export function selectLatents(
  site: string,
  candidates: readonly CandidateScore[],
  k: number,
  minEffect: number,
): LatentSelection {
  const passing = candidates.filter((c) => c.score >= minEffect)
    .sort((a, b) => b.score - a.score || a.latent - b.latent)
    .slice(0, k);
  if (passing.length === 0) {
    const best = Math.max(0, ...candidates.map((c) => c.score));
    throw new RangeError(
      `No candidate latent passed causal validation (best score ${best.toFixed(4)} < minEffect ${minEffect})`,
    );
  }
  return split(site, passing);
}

/** The discovery-only ablation: the k largest |Δ| of the pool, without validation. */
export function discoveryOnlyLatents(site: string, pool: readonly LatentShift[], k: number): LatentSelection {
  const chosen = [...pool].sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || a.latent - b.latent)
    .slice(0, k);
  return split(site, chosen);
}
