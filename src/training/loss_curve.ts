/**
 * A training run's per-step loss parts as CSV.
 * @module
 */
import { toCsv } from "../core/csv.ts";

/** `step` then one column per loss part, in exponent notation. */
export function lossCurveCsv(history: readonly Record<string, number>[]): string {
  const cols = Object.keys(history[0] ?? { loss: 0 });
  return toCsv(
    history.map((h, step) => ({ step, ...Object.fromEntries(cols.map((c) => [c, h[c].toExponential(6)])) })),
    ["step", ...cols],
  );
}
