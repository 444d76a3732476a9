/**
 * Resumable training stages: a stage's loop snapshots every
 * `checkpoints.every` steps into `<stage folder>/.resume/`, under the stage's
 * run key, and a re-run of a killed stage continues from the last snapshot.
 * @module
 */
import type { Resumable } from "../optim/snapshot.ts";
import type { RunConfig } from "../config/schema.ts";
import type { StageRun } from "./stage.ts";

/** The snapshot settings of a stage run (none when `checkpoints.every` is 0). */
export function resumableOf(cfg: RunConfig, run: StageRun): Resumable | undefined {
  if (cfg.checkpoints.every <= 0) return undefined;
  return {
    dir: run.resumeDir,
    key: run.key,
    every: cfg.checkpoints.every,
    onIgnored: (why) => run.log(`not resuming from ${run.resumeDir}: ${why}`),
    onResume: (step) => run.log(`resuming from the snapshot at step ${step} in ${run.resumeDir}`),
  };
}

/** The same, in the form fine-tuning takes (`{ at }`). */
export function finetuneResume(cfg: RunConfig, run: StageRun): { at: Resumable } | undefined {
  const at = resumableOf(cfg, run);
  return at ? { at } : undefined;
}
