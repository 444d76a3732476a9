/**
 * Subspaces spanned by feature directions: how much of a vector they hold,
 * how well one dictionary's directions match another's, and shift patching
 * (a fine-tune's mean shift inside the span removed).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AddIntervention } from "../models/interventions.ts";

/** An orthonormal basis of the rows' span (Gram–Schmidt; near-dependent rows dropped). */
export function orthonormalBasis(rows: readonly (readonly number[])[]): number[][] {
  const basis: number[][] = [];
  for (const r of rows) {
    const v = [...r];
    for (const b of basis) {
      const c = dot(v, b);
      for (let j = 0; j < v.length; j++) v[j] -= c * b[j];
    }
    const n = Math.hypot(...v);
    if (n > 1e-6 * Math.max(1e-12, Math.hypot(...r))) basis.push(v.map((x) => x / n));
  }
  return basis;
}

/** ‖P v‖² / ‖v‖²: the share of v's squared norm inside the span of orthonormal `basis`. */
export function spanShare(v: readonly number[], basis: readonly (readonly number[])[]): number {
  const total = dot(v, v);
  if (!(total > 0)) throw new RangeError("spanShare needs a non-zero vector");
  return basis.reduce((s, b) => s + dot(v, b) ** 2, 0) / total;
}

/** For each row of `a`, the largest |cosine| with any row of `b`. */
export function bestCosines(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[] {
  const nb = b.map((r) => Math.hypot(...r));
  return a.map((r) => {
    const n = Math.hypot(...r);
    return b.reduce((best, s, i) => Math.max(best, Math.abs(dot(r, s)) / (n * nb[i])), 0);
  });
}

/**
 * Shift patching: an edit that removes the part of `shift` (a fine-tune's
 * mean activation change) inside the span of orthonormal `basis`, at every
 * position; null when nothing of it is there. The caller disposes the direction.
 */
export function shiftPatch(
  site: string,
  basis: readonly (readonly number[])[],
  shift: readonly number[],
): AddIntervention | null {
  const inside = new Array<number>(shift.length).fill(0);
  for (const b of basis) {
    const c = dot(b, shift);
    for (let j = 0; j < inside.length; j++) inside[j] += c * b[j];
  }
  const norm = Math.hypot(...inside);
  if (!(norm > 0)) return null;
  return { kind: "add", site, direction: tf.tensor1d(inside.map((x) => -x / norm)), scale: norm };
}

/** Column means of rows [n, d]. */
export function meanRow(rows: readonly (readonly number[])[]): number[] {
  if (rows.length === 0) throw new RangeError("meanRow needs at least one row");
  return rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}
