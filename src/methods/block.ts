/**
 * BLOCK-EM: the discovered features held with the signed one-sided penalty
 * at λ. The features are the selected SAE latents (the top `k` with `k`),
 * or with `discover.features = "diffmeans"` the difference-of-means
 * direction over persona contexts.
 * @module
 */
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import { DirectionFeatures, type DirectionSet } from "../features/feature_map.ts";
import { DIRECTION_SET_FILE } from "../runs/file_schemas.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import { blockLatents, latentInputs, selectedTopK, withDiscovery } from "./latents.ts";
import { atLambda, type Method, type MethodContext, type MethodSetup } from "./method.ts";

/** Whether a run blocks the difference-of-means direction instead of SAE latents. */
export function blocksDirections(run: Run): boolean {
  return run.config.discover.features === "diffmeans";
}

/** The inputs of a method that holds the run's features (latents, or the direction set). */
export function featureInputs(run: Run, key: RunKey): string[] {
  return blocksDirections(run) ? [runPaths(run.profile, key).directions] : latentInputs(run, key);
}

/** The difference-of-means direction set a base seed's discovery found. */
export async function readDirections(run: Run, key: RunKey): Promise<DirectionSet> {
  const path = join(run.root, runPaths(run.profile, key).directions);
  const found = await readJsonValidated(path, DIRECTION_SET_FILE);
  return { site: found.site, directions: found.directions, signs: found.signs };
}

/** BLOCK on a direction set with λ. */
export function blockDirections(set: DirectionSet, lambda: number): MethodSetup {
  const features = new DirectionFeatures(set);
  return {
    terms: { block: { features, lambda } },
    persona: "<assistant>",
    record: { kind: "directions", ...set, lambda },
    dispose: () => features.dispose(),
  };
}

export const BLOCK: Method = {
  name: "block",
  group: "block",
  summary: "BLOCK-EM: the selected features held with the signed penalty",
  strength: "lambda",
  settings: atLambda,
  inputs: (run, key) => featureInputs(run, key),
  async setup(ctx: MethodContext, params) {
    if (blocksDirections(ctx.run)) {
      return blockDirections(await readDirections(ctx.run, ctx.key), params.lambda);
    }
    return await withDiscovery(ctx, (d) => blockLatents(ctx, d, selectedTopK(d, params), params));
  },
};
