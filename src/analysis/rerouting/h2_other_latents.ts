/**
 * H2, other latents at the block layer: latents rediscovered on a
 * re-emerged model, and whether removing their span's mean re-emerged shift
 * from the evaluation seeds' re-emerged models lowers EM more than the
 * original latents' or random latents' spans do.
 * @module
 */
import { deriveSeed } from "../../core/rng.ts";
import {
  latentDirections,
  type LatentSet,
  latentUnion,
  randomLatentSet,
} from "../../features/sae_features.ts";
import type { Params } from "../../models/model.ts";
import type { SaeConfig } from "../../sae/sae.ts";
import type { Intervention } from "../../models/interventions.ts";
import { meanRow, orthonormalBasis, shiftPatch, spanShare } from "../subspace.ts";
import { type RerouteAnalysis, type RerouteContext, type SeedModels, sequential } from "./types.ts";

/** What H2 reads beyond the context. */
export interface PatchingInputs {
  sae: { params: Params; config: SaeConfig };
  original: LatentSet;
  /** Rediscovered latents not in the original set. */
  added: LatentSet;
  seeds: ReadonlyMap<number, SeedModels>;
  draws: number;
  randomSeed: number;
  /** The fine-tuning domain EM is measured outside of. */
  domain: string;
}

/** Orthonormal bases of each span: original, union, added (when any), and the random draws. */
async function spanBases(x: PatchingInputs) {
  const { sae, original, added } = x;
  const spans: Record<string, LatentSet> = { original, union: latentUnion(original, added) };
  if (added.latents.length > 0) spans.added = added;
  const randomSpans = Array.from(
    { length: x.draws },
    (_, i) =>
      randomLatentSet(
        added.latents.length > 0 ? added : original,
        sae.config.dSae,
        [...original.latents, ...added.latents],
        deriveSeed(x.randomSeed, `reroute/patch/${i}`),
      ),
  );
  const basisOf = async (set: LatentSet) => orthonormalBasis(await latentDirections(sae.params, set.latents));
  const bases = Object.fromEntries(
    await Promise.all(Object.entries(spans).map(async ([k, v]) => [k, await basisOf(v)] as const)),
  );
  return { bases, randomBases: await Promise.all(randomSpans.map(basisOf)) };
}

/** H2's patching, one entry per evaluation seed: each span's mean re-emerged shift removed at every position. */
export async function measurePatching(
  ctx: RerouteContext,
  x: PatchingInputs,
): Promise<RerouteAnalysis["h2"]["patching"]> {
  const { site } = ctx;
  const { bases, randomBases } = await spanBases(x);
  const baseDiscovery = meanRow(await ctx.acts(ctx.base, ctx.discoveryPrompts, site));
  const emOf = (p: Params, interventions: Intervention[] = []) => ctx.em(p, x.domain, interventions);
  const patching: RerouteAnalysis["h2"]["patching"] = [];
  for (const [finetune, models] of x.seeds) {
    patching.push(
      await ctx.withModel(models["block-long"], async (reemerged) => {
        const shift = meanRow(await ctx.acts(reemerged, ctx.discoveryPrompts, site)).map((v, j) =>
          v - baseDiscovery[j]
        );
        const patched = async (basis: number[][]) => {
          const iv = shiftPatch(site, basis, shift);
          try {
            return await emOf(reemerged, iv ? [iv] : []);
          } finally {
            if (iv) iv.direction.dispose();
          }
        };
        return {
          finetune,
          unpatched: await emOf(reemerged),
          original: await patched(bases.original),
          added: bases.added ? await patched(bases.added) : null,
          union: await patched(bases.union),
          random: await sequential(randomBases, patched),
          shiftShare: {
            original: spanShare(shift, bases.original),
            added: bases.added ? spanShare(shift, bases.added) : null,
            union: spanShare(shift, bases.union),
            random: randomBases.map((b) => spanShare(shift, b)),
          },
        };
      }),
    );
  }
  return patching;
}
