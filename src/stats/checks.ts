/**
 * Acceptance checks: a measured value against a threshold, reported and
 * never enforced.
 * @module
 */

/** One acceptance check; `unit` says how to read the value; `pass` is null when the value is not measurable. */
export interface Check {
  name: string;
  value: number | null;
  threshold: number;
  unit: "ratio" | "conditions";
  pass: boolean | null;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A check of `value` (rounded to 6 places; an undefined value is recorded as null: not measurable). */
export function check(
  name: string,
  value: number,
  threshold: number,
  pass: boolean,
  unit: Check["unit"] = "ratio",
): Check {
  return Number.isFinite(value)
    ? { name, value: round6(value), threshold, unit, pass }
    : { name, value: null, threshold, unit, pass: null };
}
