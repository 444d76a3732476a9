/**
 * Names the config refers to, kept here so the schema sits below what
 * implements them: each grid name has one file under `grids/` (the grid
 * registry is typed by this list, so a name without a grid does not compile),
 * and each profile is defined in `profiles.ts`.
 * @module
 */

/** The experiment grids, in report order. */
export const GRID_NAMES = ["main", "lambda", "k", "ablations", "baselines", "reemerge", "reroute"] as const;
/** One grid's name. */
export type GridName = typeof GRID_NAMES[number];

/** The reproduction profiles. */
export const PROFILE_NAMES = ["smoke", "reference", "paper", "tiny"] as const;
/** One profile's name. */
export type ProfileName = typeof PROFILE_NAMES[number];
