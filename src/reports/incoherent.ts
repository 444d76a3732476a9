/**
 * A model most of whose answers are incoherent has no EM worth showing: EM
 * is a share of its coherent answers, so on the few left it reads anything
 * from 0 to 1, and a reduction computed from it means nothing. Every table
 * and figure shows such a model as "incoherent" instead of a number.
 * @module
 */

/** Incoherence (share of probability mass) from which a model is shown as incoherent. */
export const INCOHERENT_AT = 0.5;

/** What tables show in place of an incoherent model's EM or reduction. */
export const INCOHERENT = "incoherent";

/** Whether a model with this incoherence is shown as incoherent. */
export function isIncoherent(incoherence: number): boolean {
  return incoherence >= INCOHERENT_AT;
}

/** `value`, or "incoherent" when the model it describes is. */
export function unlessIncoherent<T>(incoherence: number, value: T): T | typeof INCOHERENT {
  return isIncoherent(incoherence) ? INCOHERENT : value;
}

/** A figure subtitle's note naming the points left out as incoherent, or "" when none were. */
export function leftOutNote(labels: readonly string[]): string {
  return labels.length === 0
    ? ""
    : `; incoherent (incoherence ≥ ${INCOHERENT_AT}), not plotted: ${labels.join(", ")}`;
}

/** What a row needs to say whether its reduction means anything. */
export interface ReducedRow {
  incoherence: { mean: number };
  /** The naive reference's incoherence over the same seed pairs. */
  referenceIncoherence?: number | null;
}

/** A reduction reads both models' EM: it is shown only when neither is incoherent. */
export function reductionIncoherence(row: ReducedRow): number {
  return Math.max(row.incoherence.mean, row.referenceIncoherence ?? 0);
}
