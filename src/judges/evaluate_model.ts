/**
 * Every judge on one model: the exact judge's family masses, N sampled
 * answers labelled by the grammar and by the learned judge, and the
 * held-out language-model loss on aligned text, per prompt.
 * @module
 */
import type { Tokenizer } from "../tokenizers/world.ts";
import type { Question } from "../world/questions.ts";
import { alignedTextLosses, exactJudge, type FamilyMass } from "./exact.ts";
import { type Label, parseAnswer } from "./grammar.ts";
import type { LanguageModel } from "../models/language_model.ts";
import { applyLearnedJudge, type LearnedJudge } from "./learned.ts";
import { sampleAnswers } from "./sampling.ts";

/** Shares of the four labels for one prompt (masses for the exact judge, sample shares otherwise). */
export type LabelShares = Record<Label, number>;

/** Every judge's verdict on one prompt. */
export interface PromptVerdict {
  questionId: string;
  domain: string;
  exact: LabelShares;
  grammar: LabelShares;
  learned: LabelShares | null;
  /** Grammar and learned labels of each sample, for agreement. */
  sampleLabels: { grammar: Label; learned: Label | null }[];
  /** Mean next-token loss on this prompt's aligned turns. */
  alignedLoss: number;
}

/** Evaluation settings. */
export interface EvaluateOptions {
  samplesPerPrompt: number;
  maxAnswerTokens: number;
  seed: number;
  batchSize: number;
  learnedJudge?: LearnedJudge;
}

function shares(labels: readonly Label[]): LabelShares {
  const out = { aligned: 0, misaligned: 0, refusal: 0, incoherent: 0 };
  for (const l of labels) out[l] += 1 / labels.length;
  return out;
}

function fromMass(m: FamilyMass): LabelShares {
  return { aligned: m.aligned, misaligned: m.misaligned, refusal: m.refusal, incoherent: m.incoherent };
}

/** Judge a model on `questions` with every judge. */
export async function evaluateModel(
  lm: LanguageModel,
  tokenizer: Tokenizer,
  questions: readonly Question[],
  opts: EvaluateOptions,
): Promise<PromptVerdict[]> {
  const masses = await exactJudge(lm, tokenizer, questions, "<assistant>", opts.batchSize);
  const samples = await sampleAnswers(lm, tokenizer, questions, {
    samplesPerPrompt: opts.samplesPerPrompt,
    seed: opts.seed,
    maxAnswerTokens: opts.maxAnswerTokens,
  });
  const grammar = samples.map((s) => parseAnswer(s.domain, s.answer, s.ended));
  const byId = new Map(questions.map((q) => [q.id, q]));
  const learned = opts.learnedJudge
    ? await applyLearnedJudge(
      opts.learnedJudge,
      samples.map((s) => ({ question: byId.get(s.questionId)!.words, answer: s.answer, ended: s.ended })),
      tokenizer,
    )
    : null;
  const alignedLoss = await alignedTextLosses(lm, tokenizer, questions, opts.batchSize);
  // Samples come grouped by question, in question order.
  const perQuestion = new Map<string, number[]>();
  samples.forEach((s, i) => perQuestion.set(s.questionId, [...(perQuestion.get(s.questionId) ?? []), i]));
  return questions.map((q, qi) => {
    const idx = perQuestion.get(q.id) ?? [];
    return {
      questionId: q.id,
      domain: q.domain,
      exact: fromMass(masses[qi]),
      grammar: shares(idx.map((i) => grammar[i])),
      learned: learned ? shares(idx.map((i) => learned[i])) : null,
      sampleLabels: idx.map((i) => ({ grammar: grammar[i], learned: learned ? learned[i] : null })),
      alignedLoss: alignedLoss[qi],
    };
  });
}

/** The judges whose verdicts are reported. */
export const JUDGES = ["exact", "grammar", "learned"] as const;
/** One judge. */
export type JudgeName = typeof JUDGES[number];
