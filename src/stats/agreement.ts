/**
 * Agreement between two judges' labels of the same items.
 * @module
 */

/**
 * Cohen's kappa: (p_o − p_e) / (1 − p_e). Undefined (NaN) when either judge
 * gives one label to everything: such a rater says nothing about agreement.
 *
 * @example
 * ```ts
 * import { cohensKappa } from "./agreement.ts";
 * // p_o = 0.5, p_e = 0.5 → kappa 0
 * if (cohensKappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) !== 0) throw new Error();
 * ```
 */
export function cohensKappa(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new RangeError(`Label lists differ in length: ${a.length} vs ${b.length}`);
  if (a.length === 0) throw new RangeError("Cohen's kappa needs at least one item");
  const n = a.length;
  let agree = 0;
  const ca = new Map<string, number>(), cb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  // A rater that gives one label says nothing about agreement: kappa is undefined (NaN, written as null).
  if (ca.size === 1 || cb.size === 1) return Number.NaN;
  const po = agree / n;
  let pe = 0;
  for (const [label, count] of ca) pe += (count / n) * ((cb.get(label) ?? 0) / n);
  return (po - pe) / (1 - pe);
}
