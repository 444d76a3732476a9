/**
 * Deterministic question splits from a split seed that is separate from every
 * training seed. Each question belongs to exactly one split; splits are
 * stratified by domain and template, so every split sees every template. The general domain is never fine-tuned on, so its
 * fine-tune share goes to pretraining.
 * @module
 */
import { Rng } from "../core/rng.ts";
import type { Question } from "./questions.ts";

/** Where a question may be used. */
export const SPLITS = ["pretrain", "finetune", "selection", "judge", "evaluation"] as const;
/** One split name. */
export type Split = typeof SPLITS[number];

/** A question with its split. */
export interface SplitQuestion extends Question {
  split: Split;
}

/** Share of each domain's questions per split. */
export type SplitFractions = Record<Split, number>;

/** Default shares: enough fine-tune and evaluation questions per domain. */
export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = {
  pretrain: 0.4,
  finetune: 0.25,
  selection: 0.1,
  judge: 0.08,
  evaluation: 0.17,
};

/**
 * Assign every question to one split, shuffling each domain with a stream
 * derived from `splitSeed` and the domain name.
 */
export function assignSplits(
  questions: readonly Question[],
  splitSeed: number,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): SplitQuestion[] {
  const total = SPLITS.reduce((s, k) => s + fractions[k], 0);
  if (Math.abs(total - 1) > 1e-9) {
    throw new RangeError(`Split fractions must sum to 1, got ${total}`);
  }
  const groups = new Map<string, Question[]>();
  for (const q of questions) {
    const key = `${q.domain}/${q.template}`;
    groups.set(key, [...(groups.get(key) ?? []), q]);
  }
  const assigned = new Map<string, Split>();
  for (const [key, qs] of groups) {
    const domain = qs[0].domain;
    const shuffled = Rng.fork(splitSeed, `split/${key}`).shuffle(qs);
    const counts = SPLITS.map((s) => Math.round(fractions[s] * qs.length));
    counts[0] += qs.length - counts.reduce((a, b) => a + b, 0);
    let i = 0;
    SPLITS.forEach((split, s) => {
      for (let c = 0; c < counts[s]; c++, i++) {
        const chosen: Split = domain === "general" && split === "finetune" ? "pretrain" : split;
        assigned.set(shuffled[i].id, chosen);
      }
    });
  }
  return questions.map((q) => ({ ...q, split: assigned.get(q.id)! }));
}

/** The questions of one split, optionally of one domain. */
export function questionsOf(
  questions: readonly SplitQuestion[],
  split: Split,
  domain?: string,
): SplitQuestion[] {
  return questions.filter((q) => q.split === split && (domain === undefined || q.domain === domain));
}
