/**
 * The sample judges' generator: seeded temperature-1 sampling of N answers
 * per prompt, shared by every sample judge (the grammar, the learned
 * classifier), which then label each answer.
 * @module
 */
import { Rng } from "../core/rng.ts";
import { promptTokens } from "../world/documents.ts";
import type { Persona } from "../world/spec.ts";
import type { Question } from "../world/questions.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { LanguageModel } from "../models/language_model.ts";

/** One sampled answer. */
export interface SampledAnswer {
  questionId: string;
  domain: string;
  sample: number;
  /** Answer token ids before `<eos>` (or all of them when it never ended). */
  ids: number[];
  /** The same tokens as strings (`tokenizer.decode`). */
  answer: string[];
  ended: boolean;
}

/** Sampling settings. */
export interface SamplingOptions {
  samplesPerPrompt: number;
  seed: number;
  maxAnswerTokens: number;
  persona?: Persona;
  batchSize?: number;
}

/** Draw a token from log-probabilities at temperature 1. */
export function sampleToken(logp: Float32Array, offset: number, vocab: number, rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let v = 0; v < vocab; v++) {
    acc += Math.exp(logp[offset + v]);
    if (u < acc) return v;
  }
  return vocab - 1; // rounding: the mass summed to slightly under 1
}

/**
 * Sample `samplesPerPrompt` answers for every question. Each answer draws
 * from its own stream, forked from `seed` and (question, sample), so results
 * do not depend on batch size or order.
 */
export async function sampleAnswers(
  lm: LanguageModel,
  tokenizer: Tokenizer,
  questions: readonly Question[],
  opts: SamplingOptions,
): Promise<SampledAnswer[]> {
  const eos = tokenizer.eos;
  const rows = questions.flatMap((q) =>
    Array.from({ length: opts.samplesPerPrompt }, (_, sample) => ({
      q,
      sample,
      ids: tokenizer.encode(promptTokens(q, opts.persona ?? "<assistant>")),
      answer: [] as number[],
      ended: false,
      rng: Rng.fork(opts.seed, `sample/${q.id}/${sample}`),
    }))
  );
  const batchSize = opts.batchSize ?? 512;
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize);
    for (let step = 0; step < opts.maxAnswerTokens + 1; step++) {
      const active = chunk.filter((r) => !r.ended && r.answer.length <= opts.maxAnswerTokens);
      if (active.length === 0) break;
      const seq = Math.max(...active.map((r) => r.ids.length + r.answer.length));
      const tokens = new Int32Array(active.length * seq).fill(tokenizer.pad);
      active.forEach((r, i) => tokens.set([...r.ids, ...r.answer], i * seq));
      const positions = Int32Array.from(active, (r) => r.ids.length + r.answer.length - 1);
      // Only each row's last position is sampled from: read just those where the model can.
      const logp = lm.logProbsAt
        ? await lm.logProbsAt(tokens, active.length, seq, positions)
        : await lm.nextTokenLogProbs(tokens, active.length, seq);
      active.forEach((r, i) => {
        const at = lm.logProbsAt ? i : i * seq + positions[i];
        const next = sampleToken(logp, at * lm.vocabSize, lm.vocabSize, r.rng);
        if (next === eos) r.ended = true;
        else r.answer.push(next);
      });
    }
  }
  return rows.map((r) => ({
    questionId: r.q.id,
    domain: r.q.domain,
    sample: r.sample,
    ids: r.answer,
    answer: tokenizer.decode(r.answer),
    ended: r.ended,
  }));
}
