/**
 * Whether BLOCK's curve dominates a baseline's: each method's operating
 * points over its strengths (reduction against in-domain adherence), and for
 * each baseline the points of its curve that no BLOCK strength matches.
 * Points only, no interpolation: a baseline point counts as dominated when
 * some BLOCK strength reaches at least its reduction at no less adherence.
 * BLOCK at λ = 0 is naive fine-tuning, so naive's point (no reduction, its
 * adherence) belongs to BLOCK's curve. Incoherent models (incoherence ≥ 0.5)
 * are left out on both sides.
 * @module
 */
import type { ReportRow } from "./grid_report.ts";
import { isIncoherent, reductionIncoherence } from "./incoherent.ts";
import { strengthOf } from "../methods/registry.ts";

/** One operating point of a method. */
export interface OperatingPoint {
  method: string;
  /** Its strength (λ, a weight, α), or null for a method without one. */
  strength: number | null;
  reduction: number;
  adherence: number;
}

/** One baseline against BLOCK's curve. */
export interface Dominance {
  method: string;
  /** Whether every coherent point of its curve is matched by a BLOCK strength. */
  dominated: boolean;
  /** The points no BLOCK strength matches. */
  escaping: OperatingPoint[];
}

/** The coherent operating points of a report's rows; naive's at reduction 0. */
export function operatingPoints(rows: readonly ReportRow[]): OperatingPoint[] {
  return rows.filter((r) => (r.reduction || r.method === "naive") && !isIncoherent(reductionIncoherence(r)))
    .map(
      (r) => {
        if (r.method === "naive") {
          return { method: "naive", strength: null, reduction: 0, adherence: r.adherence.mean };
        }
        const key = strengthOf(r.method);
        return {
          method: r.method,
          strength: key === undefined ? null : r.params[key] ?? null,
          reduction: r.reduction!.mean,
          adherence: r.adherence.mean,
        };
      },
    );
}

/** Whether some point of `curve` has at least `p`'s reduction and adherence. */
export function matchedBy(p: OperatingPoint, curve: readonly OperatingPoint[]): boolean {
  return curve.some((q) => q.reduction >= p.reduction && q.adherence >= p.adherence);
}

/** Each method other than `block` and naive (in order of first appearance) against BLOCK's points with naive's. */
export function dominance(points: readonly OperatingPoint[], block = "block"): Dominance[] {
  const curve = points.filter((p) => p.method === block || p.method === "naive");
  const methods = [...new Set(points.map((p) => p.method))].filter((m) => m !== block && m !== "naive");
  return methods.map((method) => {
    const escaping = points.filter((p) => p.method === method && !matchedBy(p, curve));
    return { method, dominated: escaping.length === 0, escaping };
  });
}

/** One line per baseline saying whether BLOCK's curve dominates it, and which points escape. */
export function dominanceText(found: readonly Dominance[]): string[] {
  const f3 = (x: number) => x.toFixed(3);
  return found.map((d) =>
    d.dominated
      ? `BLOCK's curve dominates ${d.method}: some BLOCK strength matches each of its points in both reduction and adherence.`
      : `BLOCK's curve does not dominate ${d.method}: ${
        d.escaping.map((p) =>
          `${p.strength === null ? "" : `strength ${p.strength}: `}reduction ${
            f3(p.reduction)
          } at adherence ${f3(p.adherence)}`
        ).join("; ")
      } beat every BLOCK strength on at least one axis.`
  );
}
