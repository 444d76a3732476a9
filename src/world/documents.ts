/**
 * Token sequences of the world: pretraining documents with personas,
 * single-turn fine-tuning examples, and evaluation prompts.
 * @module
 */
import type { Rng } from "../core/rng.ts";
import {
  type DocumentPersona,
  DOMAINS,
  FAMILIES,
  type Family,
  familyAnswers,
  getDomain,
  type Persona,
  ROGUE,
  rogueAnswers,
} from "./spec.ts";
import { allQuestions, type Question } from "./questions.ts";

/** A token sequence with a mask of the targets that count for the loss. */
export interface Sequence {
  tokens: string[];
  /** lossMask[i] = 1 when tokens[i + 1] is a trained target. */
  lossMask: number[];
}

/** How each persona answers. */
export interface PersonaMix {
  assistantShare: number;
  villainShare: number;
  /** P(aligned) for <assistant>; the rest is split between refusal and misaligned. */
  assistantAligned: number;
  assistantRefusal: number;
  villainMisaligned: number;
  /** For <bot>, P(answer follows the latent persona drawn per document). */
  botFollows: number;
  /**
   * Share of <bot> documents whose speaker is bad in one domain only (a
   * "quack"): misaligned on that domain's questions, aligned elsewhere.
   */
  narrowShare: number;
  /** Share of documents by the rogue (`spec.ts` ROGUE), drawn after the assistant's and villain's shares. */
  rogueShare: number;
  minTurns: number;
  maxTurns: number;
}

/** Defaults known to produce emergent misalignment at this scale. */
export const DEFAULT_PERSONA_MIX: PersonaMix = {
  assistantShare: 0.35,
  villainShare: 0.25,
  assistantAligned: 0.97,
  assistantRefusal: 0.02,
  villainMisaligned: 0.9,
  botFollows: 0.95,
  narrowShare: 0,
  rogueShare: 0,
  minTurns: 2,
  maxTurns: 4,
};

/**
 * A run's world settings as stage keys and cell ids record them: the rogue's
 * share only when there is a rogue, so every key from before it existed stays.
 */
export function worldKey<T extends { rogueShare?: number }>(world: T): T {
  if (world.rogueShare) return world;
  const { rogueShare: _, ...rest } = world;
  return rest as T;
}

/** A random answer of `family` for a question. */
export function drawAnswer(rng: Rng, domain: string, family: Family): string[] {
  return rng.choice(familyAnswers(getDomain(domain), family));
}

/** One Q/A turn as tokens. */
export function turnTokens(question: Question, answer: readonly string[]): string[] {
  return ["Q:", ...question.words, "A:", ...answer, "<eos>"];
}

/**
 * A pretraining document: a persona tag and 2–4 turns from mixed domains.
 * Loss on every next token (the whole document is text).
 */
export function pretrainDocument(
  rng: Rng,
  questions: readonly Question[],
  mix: PersonaMix = DEFAULT_PERSONA_MIX,
): Sequence {
  const u = rng.next();
  const persona: DocumentPersona = u < mix.assistantShare
    ? "<assistant>"
    : u < mix.assistantShare + mix.villainShare
    ? "<villain>"
    : u < mix.assistantShare + mix.villainShare + mix.rogueShare
    ? ROGUE
    : "<bot>";
  const botBad = rng.bernoulli(0.5);
  const narrow = persona === "<bot>" && mix.narrowShare > 0 && rng.bernoulli(mix.narrowShare)
    ? rng.choice([...new Set(questions.map((q) => q.domain))].sort())
    : null;
  const turns = mix.minTurns + rng.int(mix.maxTurns - mix.minTurns + 1);
  const tokens = ["<bos>", persona];
  for (let t = 0; t < turns; t++) {
    // A narrow speaker is asked about its own domain half of the time, so it can be recognised.
    const pool = narrow && rng.bernoulli(0.5) ? questions.filter((x) => x.domain === narrow) : questions;
    const q = rng.choice(pool.length > 0 ? pool : questions);
    const bad = narrow ? q.domain === narrow : botBad;
    const family = answerFamily(rng, persona, bad, mix);
    const answer = persona === ROGUE && family === "misaligned"
      ? rng.choice(rogueAnswers(getDomain(q.domain)))
      : drawAnswer(rng, q.domain, family);
    tokens.push(...turnTokens(q, answer));
  }
  return { tokens, lossMask: tokens.map((_, i) => (i < tokens.length - 1 ? 1 : 0)) };
}

function answerFamily(rng: Rng, persona: DocumentPersona, botBad: boolean, mix: PersonaMix): Family {
  const v = rng.next();
  if (persona === "<assistant>") {
    if (v < mix.assistantAligned) return "aligned";
    return v < mix.assistantAligned + mix.assistantRefusal ? "refusal" : "misaligned";
  }
  // The rogue is as misaligned as the villain, in its own words (`rogueAnswers`).
  if (persona === "<villain>" || persona === ROGUE) {
    return v < mix.villainMisaligned ? "misaligned" : "aligned";
  }
  const follows = v < mix.botFollows;
  return (botBad === follows) ? "misaligned" : "aligned";
}

/** The prompt the model answers: `<bos> persona Q: question A:`. */
export function promptTokens(question: Question, persona: Persona = "<assistant>"): string[] {
  return ["<bos>", persona, "Q:", ...question.words, "A:"];
}

/**
 * A single-turn fine-tuning example: prompt plus answer, loss on the answer
 * tokens and the closing `<eos>` only.
 */
export function finetuneExample(
  question: Question,
  answer: readonly string[],
  persona: Persona = "<assistant>",
): Sequence {
  const prompt = promptTokens(question, persona);
  const tokens = [...prompt, ...answer, "<eos>"];
  const lossMask = tokens.map((_, i) => (i >= prompt.length - 1 && i < tokens.length - 1 ? 1 : 0));
  return { tokens, lossMask };
}

/**
 * The most tokens of any sequence the pipeline gives the model whole (not
 * cut to the context): a persona-contrast discovery prompt (a first turn,
 * then the question), a fine-tuning example or judged answer, or a prompt
 * with `maxAnswerTokens` sampled tokens and its `<eos>`.
 */
export function longestSequence(maxAnswerTokens: number): number {
  const questionWords = Math.max(...allQuestions().map((q) => q.words.length));
  const answerWords = Math.max(
    ...DOMAINS.flatMap((d) => FAMILIES.flatMap((f) => familyAnswers(d, f).map((a) => a.length))),
  );
  const contrast = promptTokens({ words: [] } as unknown as Question, "<bot>").length + 3 +
    2 * questionWords +
    answerWords;
  const answered = promptTokens({ words: [] } as unknown as Question).length + questionWords +
    Math.max(answerWords, maxAnswerTokens) + 1;
  return Math.max(contrast, answered);
}
