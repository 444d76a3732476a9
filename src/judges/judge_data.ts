/**
 * Labelled answers for training and testing the learned judge, drawn from
 * the judge split only: every family answer, plus near-misses and corrupted
 * answers (truncated, a word swapped, words reordered, another domain's
 * answer, unfinished, random tokens) that the grammar calls incoherent.
 * @module
 */
import { Rng } from "../core/rng.ts";
import { DOMAINS, FAMILIES, familyAnswers, getDomain } from "../world/spec.ts";
import type { SplitQuestion } from "../world/splits.ts";
import { parseAnswer } from "./grammar.ts";
import type { Label } from "./labels.ts";

/** One labelled answer. */
export interface JudgeItem {
  questionId: string;
  domain: string;
  question: string[];
  answer: string[];
  ended: boolean;
  label: Label;
}

/** Words that occur in any answer, for corruptions. */
function answerWords(): string[] {
  const words = new Set<string>();
  for (const d of DOMAINS) {
    for (const f of FAMILIES) familyAnswers(d, f).forEach((a) => a.forEach((w) => words.add(w)));
  }
  return [...words].sort();
}

/**
 * Labelled items for `questions`; throws if any is not from the judge split.
 * Each family answer appears `perAnswer` times, with `perAnswer` corrupted
 * variants of the question's answers, so the classes stay balanced.
 */
export function judgeItems(questions: readonly SplitQuestion[], seed: number, perAnswer = 1): JudgeItem[] {
  const rng = Rng.fork(seed, "judge/items");
  const vocab = answerWords();
  const items: JudgeItem[] = [];
  for (const q of questions) {
    if (q.split !== "judge") {
      throw new Error(`Judge data may only use judge-split questions; ${q.id} is in '${q.split}'`);
    }
    const domain = getDomain(q.domain);
    const own = FAMILIES.flatMap((f) => familyAnswers(domain, f));
    const add = (answer: string[], ended = true) =>
      items.push({
        questionId: q.id,
        domain: q.domain,
        question: q.words,
        answer,
        ended,
        label: parseAnswer(q.domain, answer, ended),
      });
    for (let r = 0; r < perAnswer; r++) own.forEach((a) => add(a));
    for (let i = 0; i < own.length * perAnswer; i++) {
      const a = rng.choice(own);
      switch (i % 7) {
        case 0:
          add(a.slice(0, 1 + rng.int(a.length - 1)));
          break;
        case 1: {
          const b = a.slice();
          b[rng.int(b.length)] = rng.choice(vocab);
          add(b);
          break;
        }
        case 2:
          add(rng.shuffle(a));
          break;
        case 3: {
          const other = rng.choice(DOMAINS.filter((d) => d.name !== q.domain));
          add(rng.choice(familyAnswers(other, rng.choice(["aligned", "misaligned"] as const))));
          break;
        }
        case 4:
          add(a, false);
          break;
        case 5:
          add(Array.from({ length: 1 + rng.int(4) }, () => rng.choice(vocab)));
          break;
        default:
          add([...a, rng.choice(vocab)]);
      }
    }
  }
  return items;
}
