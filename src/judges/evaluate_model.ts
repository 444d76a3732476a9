/**
 * Every registered judge on one model: per prompt, each judge's label
 * shares, the labels each sample judge gave each sampled answer (for
 * agreement), and the held-out language-model loss on aligned text.
 * @module
 */
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { Question } from "../world/questions.ts";
import type { LanguageModel } from "../models/language_model.ts";
import { alignedTextLosses } from "./exact.ts";
import type { Judge, JudgeContext } from "./judge.ts";
import { type Label, type LabelShares, sharesOf } from "./labels.ts";
import { JUDGES, sampleJudges } from "./registry.ts";
import { sampleAnswers, type SampledAnswer } from "./sampling.ts";

/**
 * Every judge's verdict on one prompt: `questionId`, `domain`, then one key
 * per registered judge (its label shares, or null where it did not run),
 * `sampleLabels` and `alignedLoss`, in that order.
 */
export type PromptVerdict = {
  questionId: string;
  domain: string;
  /** Each sample judge's label of each sample, by judge name, for agreement. */
  sampleLabels: Record<string, Label | null>[];
  /** Mean next-token loss on this prompt's aligned turns. */
  alignedLoss: number;
  /** The first sampled answer's tokens, space-separated (null when no sample judge ran), to show what a model says. */
  answer: string | null;
} & Record<string, unknown>;

/** A judge's shares in a verdict; null where the judge did not run. */
export function verdictShares(v: PromptVerdict, judge: string): LabelShares | null {
  return (v[judge] ?? null) as LabelShares | null;
}

/** Evaluation settings. */
export interface EvaluateOptions {
  samplesPerPrompt: number;
  maxAnswerTokens: number;
  seed: number;
  batchSize: number;
  /** Trained states of the judges that need one, by judge name; a judge whose state is absent does not run. */
  states?: ReadonlyMap<string, unknown>;
}

/** Judge a model on `questions` with every registered judge. */
export async function evaluateModel(
  lm: LanguageModel,
  tokenizer: Tokenizer,
  questions: readonly Question[],
  opts: EvaluateOptions,
): Promise<PromptVerdict[]> {
  const context = (judge: Judge): JudgeContext => ({
    lm,
    tokenizer,
    questions,
    batchSize: opts.batchSize,
    state: opts.states?.get(judge.name),
  });
  const shares = new Map<string, LabelShares[] | null>();
  const labels = new Map<string, Label[] | null>();
  let samples: SampledAnswer[] | null = null;
  for (const judge of JUDGES) {
    const runs = !judge.state || opts.states?.has(judge.name) === true;
    if (judge.reads === "distribution") {
      shares.set(judge.name, runs ? await judge.shares!(context(judge)) : null);
      continue;
    }
    samples ??= await sampleAnswers(lm, tokenizer, questions, {
      samplesPerPrompt: opts.samplesPerPrompt,
      seed: opts.seed,
      maxAnswerTokens: opts.maxAnswerTokens,
    });
    labels.set(judge.name, runs ? await judge.label!(samples, context(judge)) : null);
  }
  const alignedLoss = await alignedTextLosses(lm, tokenizer, questions, opts.batchSize);
  // Samples come grouped by question, in question order.
  const perQuestion = new Map<string, number[]>();
  samples?.forEach((s, i) => perQuestion.set(s.questionId, [...(perQuestion.get(s.questionId) ?? []), i]));
  return questions.map((q, qi) => {
    const idx = perQuestion.get(q.id) ?? [];
    const verdict: Record<string, unknown> = { questionId: q.id, domain: q.domain };
    for (const judge of JUDGES) {
      if (judge.reads === "distribution") verdict[judge.name] = shares.get(judge.name)?.[qi] ?? null;
      else {
        const l = labels.get(judge.name);
        verdict[judge.name] = l ? sharesOf(idx.map((i) => l[i])) : null;
      }
    }
    verdict.sampleLabels = idx.map((i) =>
      Object.fromEntries(sampleJudges().map((j) => [j.name, labels.get(j.name)?.[i] ?? null]))
    );
    verdict.alignedLoss = alignedLoss[qi];
    verdict.answer = idx.length > 0 ? samples![idx[0]].answer.join(" ") : null;
    return verdict as PromptVerdict;
  });
}
