/**
 * The rule that chooses a strength (BLOCK's λ, a baseline's weight) on the
 * selection split: the largest whose in-domain adherence and out-of-domain
 * coherence stay within budget of the naive model's on the same questions.
 * @module
 */

/** One strength tried, measured on the selection split. */
export interface LambdaTrial {
  lambda: number;
  em: number;
  incoherence: number;
  adherence: number;
  withinBudget: boolean;
}

/** The largest λ within budget, or the smallest λ when none is. */
export function chooseLambda(
  trials: readonly Omit<LambdaTrial, "withinBudget">[],
  naive: { adherence: number; incoherence: number },
  minAdherenceRatio: number,
  maxIncoherenceRise: number,
): { chosen: number; trials: LambdaTrial[] } {
  if (trials.length === 0) throw new RangeError("Config key 'block.lambdaGrid' must not be empty");
  const judged = trials.map((t) => ({
    ...t,
    withinBudget: t.adherence >= minAdherenceRatio * naive.adherence &&
      t.incoherence <= naive.incoherence + maxIncoherenceRise,
  }));
  const ok = judged.filter((t) => t.withinBudget).map((t) => t.lambda);
  return {
    chosen: ok.length > 0 ? Math.max(...ok) : Math.min(...trials.map((t) => t.lambda)),
    trials: judged,
  };
}
