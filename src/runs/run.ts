/**
 * A run: one profile's resolved config, the project root its data and
 * results live under, and the tokenizer, constructed here once and passed
 * to everything that needs one. Stage builders, methods and grids take a
 * `Run` instead of the same (config, root, profile) arguments each.
 * @module
 */
import { ROGUE } from "../world/spec.ts";
import type { RunConfig } from "../config/schema.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";

/** What every stage of a profile shares. */
export interface Run {
  readonly profile: string;
  readonly config: RunConfig;
  /** The folder `data/` and `results/` live under. */
  readonly root: string;
  readonly tokenizer: Tokenizer;
}

/** The tokenizer a run under `config` uses: the one place one is built (the world's, for every profile). */
export function runTokenizer(config: RunConfig): Tokenizer {
  return WorldTokenizer.forWorld(config.world.rogueShare > 0 ? [ROGUE] : []);
}

/** The run of `profile` under `config` at `root`, with its tokenizer. */
export function openRun(profile: string, config: RunConfig, root: string): Run {
  return { profile, config, root, tokenizer: runTokenizer(config) };
}
