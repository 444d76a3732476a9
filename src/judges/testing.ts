/**
 * A planted language model for judge tests: after `A:` it draws a whole
 * answer from a given distribution (then `<eos>`), so every judge's
 * expected verdict is known exactly.
 * @module
 */
import { allQuestions } from "../world/questions.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { LanguageModel } from "../models/language_model.ts";

/** Answers with their probabilities; the rest of the mass is spread over other tokens. */
export type AnswerDistribution = (domain: string) => { answer: string[]; p: number }[];

/** A LanguageModel that answers every question from `dist`. */
export function plantedLM(tokenizer: Tokenizer, dist: AnswerDistribution): LanguageModel {
  // Questions are recognised by their ids, so a tokenizer may take several ids per word.
  const domainOf = new Map(allQuestions().map((q) => [tokenizer.encode(q.words).join(","), q.domain]));
  const qIds = tokenizer.encode(["Q:"]), aIds = tokenizer.encode(["A:"]);
  const v = tokenizer.size, a = aIds[0], q = qIds[0], eos = tokenizer.eos;
  return {
    vocabSize: v,
    nextTokenLogProbs(tokens, batch, seq) {
      const out = new Float32Array(batch * seq * v);
      for (let b = 0; b < batch; b++) {
        const row = Array.from(tokens.subarray(b * seq, (b + 1) * seq));
        const qAt = row.indexOf(q), aAt = row.indexOf(a);
        const domain = qAt >= 0 && aAt > qAt
          ? domainOf.get(row.slice(qAt + qIds.length, aAt).join(","))
          : undefined;
        const answerAt = aAt + aIds.length;
        for (let t = 0; t < seq; t++) {
          const probs = new Float64Array(v);
          if (domain && t >= answerAt - 1) {
            const prefix = row.slice(answerAt, t + 1);
            // P(next | prefix) = mass of the answers continuing with `next` / mass matching the prefix.
            const matching = dist(domain).map(({ answer, p }) => ({
              ids: [...tokenizer.encode(answer), eos],
              p,
            }))
              .filter(({ ids }) => prefix.length < ids.length && prefix.every((id, k) => ids[k] === id));
            const mass = prefix.length === 0 ? 1 : matching.reduce((s, m) => s + m.p, 0);
            for (const m of matching) probs[m.ids[prefix.length]] += m.p / mass;
          }
          // Remaining mass goes to `Q:`, which no answer contains: an incoherent answer.
          const total = probs.reduce((s, x) => s + x, 0);
          if (total < 1 - 1e-12) probs[q] += 1 - total;
          for (let k = 0; k < v; k++) out[(b * seq + t) * v + k] = Math.log(Math.max(probs[k], 1e-30));
        }
      }
      return Promise.resolve(out);
    },
  };
}
