/**
 * Causal validation (the paper's step 2). Steer h ← h + α·d̂ along a
 * latent's decoder direction at the block site:
 *   induce: push the base model toward the latent's misaligned side — does
 *           misalignment rise?
 *   repair: push the misaligned model away from it — does it fall?
 * α runs over a grid; a strength whose incoherence rises by more than the
 * budget over the unsteered model is rejected. The measurement is a
 * callback, so any judge and any model can be used.
 * @module
 */
import type { LatentShift } from "./top_delta.ts";

/** What a judge reports for a steered model. */
export interface SteeredMetrics {
  em: number;
  incoherence: number;
}

/** Measure `model` ("base" or "tuned"), steered by `scale · direction` (or unsteered when null). */
export type SteeringMeasure = (
  model: "base" | "tuned",
  steer: { direction: readonly number[]; scale: number } | null,
) => Promise<SteeredMetrics>;

/** One α tried on one side. */
export interface SteeringTrial extends SteeredMetrics {
  alpha: number;
  /** EM gain in the intended direction (induce: rise; repair: fall). */
  gain: number;
  withinBudget: boolean;
}

/** A candidate latent with its validation scores. */
export interface CandidateScore extends LatentShift {
  /** +1 when the latent rose under EM (K+), −1 when it fell (K−). */
  sign: 1 | -1;
  induce: SteeringTrial[];
  repair: SteeringTrial[];
  /** Best within-budget gain of each side (0 when none helps). */
  induceGain: number;
  repairGain: number;
  /** induceGain + repairGain: the ranking score. */
  score: number;
}

/** Induce and repair trials along one direction and their best within-budget gains. */
export interface SteeringResult {
  induce: SteeringTrial[];
  repair: SteeringTrial[];
  induceGain: number;
  repairGain: number;
}

/**
 * Steer the base toward `sign · direction` (induce) and the tuned model
 * away from it (repair) at every α; a strength counts only when its
 * incoherence rise over the unsteered model stays within budget.
 */
export async function steerBothWays(
  direction: readonly number[],
  sign: 1 | -1,
  alphas: readonly number[],
  incoherenceBudget: number,
  measure: SteeringMeasure,
  reference: SteeringReference,
): Promise<SteeringResult> {
  const side = async (model: "base" | "tuned", push: number) => {
    const trials: SteeringTrial[] = [];
    for (const alpha of alphas) {
      const m = await measure(model, { direction, scale: push * alpha });
      const ref = reference[model];
      trials.push({
        alpha,
        ...m,
        gain: model === "base" ? m.em - ref.em : ref.em - m.em,
        withinBudget: m.incoherence - ref.incoherence <= incoherenceBudget,
      });
    }
    return trials;
  };
  const induce = await side("base", sign);
  const repair = await side("tuned", -sign);
  const best = (ts: SteeringTrial[]) => Math.max(0, ...ts.filter((t) => t.withinBudget).map((t) => t.gain));
  return { induce, repair, induceGain: best(induce), repairGain: best(repair) };
}

/**
 * One steering direction for a whole latent set: the normalised sum of
 * sign-weighted unit decoder directions, so that +α pushes every latent of
 * the set toward its misaligned side at once.
 */
export function setDirection(directions: readonly (readonly number[])[], signs: readonly number[]): number[] {
  const sum = directions[0].map((_, j) => directions.reduce((s, d, i) => s + signs[i] * d[j], 0));
  const norm = Math.hypot(...sum);
  if (!(norm > 0)) throw new RangeError("The latent set's directions cancel out");
  return sum.map((x) => x / norm);
}

/** The unsteered reference of each model. */
export interface SteeringReference {
  base: SteeredMetrics;
  tuned: SteeredMetrics;
}

/**
 * Score every candidate. `directions[i]` is the unit decoder direction of
 * `pool[i]`; alphas are absolute steering strengths in model units.
 */
export async function validateCandidates(
  pool: readonly LatentShift[],
  directions: readonly (readonly number[])[],
  alphas: readonly number[],
  incoherenceBudget: number,
  measure: SteeringMeasure,
  onCandidate?: (done: number) => void,
): Promise<{ reference: SteeringReference; candidates: CandidateScore[] }> {
  if (pool.length !== directions.length) throw new RangeError("One direction per candidate is needed");
  const reference = { base: await measure("base", null), tuned: await measure("tuned", null) };
  const candidates: CandidateScore[] = [];
  for (const [i, c] of pool.entries()) {
    const sign: 1 | -1 = c.delta >= 0 ? 1 : -1;
    const { induce, repair, induceGain, repairGain } = await steerBothWays(
      directions[i],
      sign,
      alphas,
      incoherenceBudget,
      measure,
      reference,
    );
    candidates.push({ ...c, sign, induce, repair, induceGain, repairGain, score: induceGain + repairGain });
    onCandidate?.(i + 1);
  }
  return { reference, candidates };
}
