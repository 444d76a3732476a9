/**
 * The rule that chooses a strength (BLOCK's λ, a baseline's weight) on the
 * selection split. A strength is within budget when its in-domain adherence
 * and out-of-domain coherence stay within budget of the naive model's on the
 * same questions. Rule "largest" takes the largest strength within budget;
 * rule "plateau" takes the smallest within budget whose EM is within
 * `emTolerance` of the lowest EM within budget: past the point where EM
 * stops falling, more strength only spends coherence and lets even random
 * latents bite (results/README, organism v2 variants V3 and V5).
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

/** How a strength is chosen among those within budget. */
export interface StrengthRule {
  minAdherenceRatio: number;
  maxIncoherenceRise: number;
  lambdaRule: "largest" | "plateau";
  emTolerance: number;
}

/** The rule in words, for the files that record a choice. */
export function ruleText(rule: StrengthRule): string {
  const budget =
    `adherence >= ${rule.minAdherenceRatio} x naive and incoherence <= naive + ${rule.maxIncoherenceRise}`;
  return rule.lambdaRule === "largest"
    ? `largest λ with ${budget}`
    : `smallest λ within ${rule.emTolerance} of the lowest EM among those with ${budget}`;
}

/** The strength the rule chooses, or the smallest strength when none is within budget. */
export function chooseLambda(
  trials: readonly Omit<LambdaTrial, "withinBudget">[],
  naive: { adherence: number; incoherence: number },
  rule: StrengthRule,
): { chosen: number; trials: LambdaTrial[] } {
  if (trials.length === 0) throw new RangeError("Config key 'block.lambdaGrid' must not be empty");
  const judged = trials.map((t) => ({
    ...t,
    withinBudget: t.adherence >= rule.minAdherenceRatio * naive.adherence &&
      t.incoherence <= naive.incoherence + rule.maxIncoherenceRise,
  }));
  const ok = judged.filter((t) => t.withinBudget);
  if (ok.length === 0) return { chosen: Math.min(...trials.map((t) => t.lambda)), trials: judged };
  if (rule.lambdaRule === "largest") return { chosen: Math.max(...ok.map((t) => t.lambda)), trials: judged };
  const lowest = Math.min(...ok.map((t) => t.em));
  const onPlateau = ok.filter((t) => t.em <= lowest + rule.emTolerance).map((t) => t.lambda);
  return { chosen: Math.min(...onPlateau), trials: judged };
}
