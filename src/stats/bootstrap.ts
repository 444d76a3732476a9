/**
 * Seeded percentile bootstrap for confidence intervals, over one level
 * (items), two (runs, then items within each run) or three (groups of runs
 * such as base models, then runs within each, then items).
 * @module
 */
import { Rng } from "../core/rng.ts";

/** A point estimate with its bootstrap interval. */
export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

/** Options of a bootstrap. */
export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number;
  /**
   * Runs hold the same items (e.g. the same prompts under different seeds):
   * draw one list of item indices per resample and use it for every run.
   */
  pairedItems?: boolean;
  /**
   * The group of each run (e.g. its base model, when runs are fine-tuning
   * seeds of several base models): groups are resampled first, then runs
   * within each chosen group, so the interval carries the spread between
   * groups. With one group this is the two-level bootstrap.
   */
  groups?: readonly (string | number)[];
}

function percentile(sorted: readonly number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const i = Math.floor(pos), f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/**
 * Two-level bootstrap: resample runs (e.g. seeds) with replacement, then the
 * items of each chosen run with replacement, and recompute `stat` on the
 * resampled runs. With a single run this is the ordinary item bootstrap.
 */
export function bootstrap<T>(
  runs: readonly (readonly T[])[],
  stat: (runs: readonly (readonly T[])[]) => number,
  opts: BootstrapOptions = {},
): Interval {
  const { resamples = 1000, level = 0.95, seed = 0, pairedItems = false, groups } = opts;
  if (runs.length === 0 || runs.some((r) => r.length === 0)) {
    throw new RangeError("Bootstrap needs at least one run, each with at least one item");
  }
  if (pairedItems && runs.some((r) => r.length !== runs[0].length)) {
    throw new RangeError("Paired bootstrap needs runs of equal length");
  }
  if (groups && groups.length !== runs.length) throw new RangeError("Bootstrap needs one group per run");
  const members = groups ? [...Map.groupBy(runs.map((_, i) => i), (i) => groups[i]).values()] : [];
  const rng = new Rng(seed);
  const stats: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const chosen = members.length > 1
      ? Array.from({ length: members.length }, () => members[rng.int(members.length)]).flatMap((m) =>
        Array.from({ length: m.length }, () => runs[m[rng.int(m.length)]])
      )
      : Array.from({ length: runs.length }, () => runs[rng.int(runs.length)]);
    const shared = pairedItems ? Array.from({ length: runs[0].length }, () => rng.int(runs[0].length)) : null;
    const sample = chosen.map((run) =>
      shared ? shared.map((i) => run[i]) : Array.from({ length: run.length }, () => run[rng.int(run.length)])
    );
    stats.push(stat(sample));
  }
  const mean = stat(runs);
  // A statistic undefined on the data has an undefined interval; resamples where it is undefined are left out.
  const finite = stats.filter(Number.isFinite).sort((x, y) => x - y);
  if (!Number.isFinite(mean) || finite.length === 0) {
    return { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN };
  }
  // Defined on fewer than half the resamples, the percentiles would describe only the lucky draws.
  if (finite.length * 2 < resamples) return { mean, lo: Number.NaN, hi: Number.NaN };
  const alpha = (1 - level) / 2;
  return { mean, lo: percentile(finite, alpha), hi: percentile(finite, 1 - alpha) };
}

/** Mean of a statistic over runs (each run's value computed on its items). */
export function meanOverRuns<T>(
  stat: (items: readonly T[]) => number,
): (runs: readonly (readonly T[])[]) => number {
  return (runs) => runs.reduce((s, r) => s + stat(r), 0) / runs.length;
}
