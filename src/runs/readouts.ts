/**
 * The two ways BLOCK reads an SAE latent (`block.readout`: the encoder's
 * activation, as in the paper, or the projection on the decoder direction),
 * and the run as a method with a fixed readout sees it. With
 * `block.compareReadouts` the main grid runs both, each with its own λ.
 * @module
 */
import type { RunConfig } from "../config/schema.ts";
import type { Run } from "./run.ts";

/** How BLOCK reads a latent. */
export type Readout = RunConfig["block"]["readout"];

/** Both readouts. */
export const READOUTS: readonly Readout[] = ["encoder", "decoder"];

/** The readout that is not `r`. */
export function otherReadout(r: Readout): Readout {
  return r === "encoder" ? "decoder" : "encoder";
}

/** The readouts a run's blocked cells use: its own, then the other when it compares them. */
export function comparedReadouts(cfg: RunConfig): Readout[] {
  return cfg.block.compareReadouts
    ? [cfg.block.readout, otherReadout(cfg.block.readout)]
    : [cfg.block.readout];
}

/** `run` with `readout` in place of its own: what a method with a fixed readout trains with. */
export function withReadout(run: Run, readout: Readout): Run {
  if (readout === run.config.block.readout) return run;
  return { ...run, config: { ...run.config, block: { ...run.config.block, readout } } };
}

/**
 * `block` as the keys of stages that use one readout record it: without the
 * settings that only add the other readout's cells, so turning the
 * comparison on recomputes nothing that already ran.
 */
export function blockKey(block: RunConfig["block"]) {
  const { compareReadouts: _c, otherLambdaGrid: _g, ...rest } = block;
  return rest;
}
