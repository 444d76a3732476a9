/**
 * Every judge of the evaluation, in report order. Adding a judge is one
 * file implementing `Judge` and one line here. The first sample judge is
 * the reference every other sample judge's agreement (Cohen's κ) is
 * measured against.
 * @module
 */
import { registry } from "../core/registry.ts";
import { EXACT_JUDGE } from "./exact.ts";
import { GRAMMAR_JUDGE } from "./grammar.ts";
import type { Judge } from "./judge.ts";
import { LEARNED_JUDGE } from "./learned.ts";

/** The judges, in report order; names are unique. */
export const JUDGES: readonly Judge[] = registerAll([
  EXACT_JUDGE,
  GRAMMAR_JUDGE,
  LEARNED_JUDGE,
]);

/** The judges that label sampled answers, the reference first. */
export function sampleJudges(): Judge[] {
  return JUDGES.filter((j) => j.reads === "samples");
}

/** Key of the agreement of sample judge `name` with the reference, e.g. `kappaGrammarVsLearned`. */
export function kappaKey(name: string): string {
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  return `kappa${cap(sampleJudges()[0].name)}Vs${cap(name)}`;
}

/** The judges compared with the reference sample judge. */
export function comparedJudges(): Judge[] {
  return sampleJudges().slice(1);
}

function registerAll(judges: Judge[]): Judge[] {
  for (const j of registry("Judge", judges).values()) {
    if ((j.reads === "samples") !== (j.label !== undefined) || (j.reads === "distribution") !== !!j.shares) {
      throw new Error(`Judge '${j.name}' must implement ${j.reads === "samples" ? "label" : "shares"}`);
    }
  }
  if (judges[0]?.name !== "exact") throw new Error("The exact judge comes first: reports read its numbers");
  return judges;
}
