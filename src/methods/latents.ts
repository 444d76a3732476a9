/**
 * What the latent-blocking methods share: reading a base seed's discovery
 * (the selected latents with their candidates) and its SAE, taking the top
 * k, and holding a latent set with the signed penalty.
 * @module
 */
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import { deriveSeed } from "../core/rng.ts";
import type { LatentSelection } from "../features/latent_selection.ts";
import { latentFeatureMap, type LatentSet } from "../features/sae_features.ts";
import type { LatentShift } from "../features/top_delta.ts";
import type { Params } from "../models/model.ts";
import { disposeParams, siteNames } from "../models/model.ts";
import { LATENT_SELECTION_FILE } from "../runs/file_schemas.ts";
import { featurePaths, type RunKey } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import { loadSae, type SaeConfig } from "../sae/sae.ts";
import type { MethodContext, MethodParams, MethodSetup } from "./method.ts";

/** A discovery's selection as its file holds it. */
export type Selection = LatentSelection & { candidates: LatentShift[]; meanActivationNorm: number };

/** A loaded discovery and its SAE (the caller disposes `sae.params`, or uses `withDiscovery`). */
export interface Discovery {
  found: Selection;
  selected: LatentSet;
  sae: { params: Params; config: SaeConfig; hash: string };
}

/** The files a latent method reads at `layer`: the selection and the SAE. */
export function latentInputs(run: Run, key: RunKey, layer = run.config.discover.layer): string[] {
  const fp = featurePaths(run, key, layer);
  return [fp.latents, `${fp.sae}/sae.json`, `${fp.sae}/sae.bin`];
}

/** Run `f` on the discovery at `layer` and its SAE, disposing the SAE after. */
export async function withDiscovery<T>(
  ctx: MethodContext,
  f: (d: Discovery) => Promise<T>,
  layer = ctx.run.config.discover.layer,
): Promise<T> {
  const fp = featurePaths(ctx.run, ctx.key, layer);
  const found = await readJsonValidated(join(ctx.run.root, fp.latents), LATENT_SELECTION_FILE) as Selection;
  const sae = await loadSae(join(ctx.run.root, fp.sae));
  const outside = found.latents.find((l) => l >= sae.config.dSae);
  const problem = outside !== undefined
    ? `latent ${outside} is outside the SAE at ${fp.sae} (latents 0..${sae.config.dSae - 1})`
    : found.site !== sae.config.site
    ? `site '${found.site}' is not the site '${sae.config.site}' of the SAE at ${fp.sae}`
    : !siteNames(ctx.model).includes(found.site)
    ? `site '${found.site}' is not a site of the ${ctx.model.nLayers}-layer model`
    : undefined;
  if (problem !== undefined) {
    disposeParams(sae.params);
    throw new RangeError(`${fp.latents}: ${problem}`);
  }
  try {
    return await f({
      found,
      selected: { site: found.site, latents: found.latents, signs: found.signs },
      sae,
    });
  } finally {
    disposeParams(sae.params);
  }
}

/** The first `k` latents of a ranked set (k ≤ 0 or beyond its size: all). */
export function topK(set: LatentSet, k: number): LatentSet {
  const n = k > 0 ? Math.min(k, set.latents.length) : set.latents.length;
  return { site: set.site, latents: set.latents.slice(0, n), signs: set.signs.slice(0, n) };
}

/** The top `params.k` of the selection (all without k). */
export function selectedTopK(d: Discovery, params: MethodParams): LatentSet {
  return topK(d.selected, params.k ?? 0);
}

/** The seed of random-control draw `draw`: one derivation for every random control. */
export function randomControlSeed(randomSeed: number, draw: number): number {
  return deriveSeed(randomSeed, `random/${draw}`);
}

/**
 * BLOCK on `set` with λ = `params.lambda`, read through the SAE as
 * `block.readout` says; `frozen` parameters are held at the base's values.
 */
export async function blockLatents(
  ctx: MethodContext,
  d: Discovery,
  set: LatentSet,
  params: MethodParams,
  frozen?: string[],
): Promise<MethodSetup> {
  const readout = ctx.run.config.block.readout;
  const features = await latentFeatureMap(d.sae.params, d.sae.config, set, readout);
  return {
    terms: { block: { features, lambda: params.lambda }, ...(frozen ? { frozen } : {}) },
    persona: "<assistant>",
    record: {
      ...set,
      lambda: params.lambda,
      readout,
      saeSha256: d.sae.hash,
      ...(frozen ? { frozen } : {}),
    },
    dispose: () => features.dispose(),
  };
}
