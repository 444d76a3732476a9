/**
 * Random unit directions: the control that shows an effect is specific to
 * the found features (same k, same signs, same λ).
 * @module
 */
import { Rng } from "../core/rng.ts";
import { type DirectionSet, unit } from "./feature_map.ts";

/** `like` with its directions replaced by seeded random unit vectors. */
export function randomDirectionSet(like: DirectionSet, seed: number): DirectionSet {
  const rng = new Rng(seed);
  const d = like.directions[0].length;
  return {
    site: like.site,
    directions: like.directions.map(() => unit(Array.from({ length: d }, () => rng.normal()))),
    signs: [...like.signs],
  };
}
