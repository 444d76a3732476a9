/**
 * What a judge is. Every judge labels a model's answers to prompts as
 * aligned, misaligned, refusal or incoherent, and gives each prompt the
 * share of its answers in each label. A *distribution* judge reads the
 * model's probabilities (the exact judge); a *sample* judge labels sampled
 * answers, which every sample judge shares. A judge is one file declaring
 * this interface plus one line in `registry.ts`: evaluation, agreement,
 * the summary and the paper's judge table pick it up from there.
 * @module
 */
import type { Interval } from "../stats/bootstrap.ts";
import type { Check } from "../stats/checks.ts";
import type { LanguageModel } from "../models/language_model.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { Question } from "../world/questions.ts";
import type { Label, LabelShares } from "./labels.ts";
import type { SampledAnswer } from "./sampling.ts";

/** What a judge sees of one evaluation. */
export interface JudgeContext {
  lm: LanguageModel;
  tokenizer: Tokenizer;
  questions: readonly Question[];
  batchSize: number;
  /** The judge's trained state (see `Judge.state`), when it has one. */
  state?: unknown;
}

/** A judge's trained state: a file under the profile's results folder, written by the judge's own stage. */
export interface JudgeState {
  /** Path under `results/<profile>/`. */
  file: string;
  /** The command that writes it, for messages. */
  command: string;
  load(path: string): Promise<unknown>;
  dispose(state: unknown): void;
}

/** One condition of the summary as judge checks see it. */
export interface CheckedCondition {
  name: string;
  /** The exact judge's EM. */
  em: number;
  /** Every other judge's EM and incoherence with intervals, by judge name. */
  byJudge: Record<string, { em: Interval; incoherence: Interval }>;
  /** Agreement with the reference sample judge, by judge name (null where a judge did not run). */
  kappa: Record<string, number | null>;
}

/** A judge of the evaluation. */
export interface Judge {
  /** Key of its verdicts in records, metrics and reports (stable: files use it). */
  readonly name: string;
  /** How tables name it. */
  readonly title: string;
  /** "distribution": shares from the model's probabilities; "samples": one label per sampled answer. */
  readonly reads: "distribution" | "samples";
  /** Key of its EM and incoherence in the summary's condition rows (absent for the exact judge, whose numbers they are). */
  readonly summaryKey?: string;
  /** Trained state the judge needs; without it the judge does not run (its verdicts are null). */
  readonly state?: JudgeState;
  /** Per prompt shares (distribution judges). */
  shares?(ctx: JudgeContext): Promise<LabelShares[]>;
  /** One label per sampled answer (sample judges). */
  label?(samples: readonly SampledAnswer[], ctx: JudgeContext): Promise<Label[]>;
  /** A number of the judge's own report that the summary records (the learned judge's held-out κ). */
  readonly summaryFigure?: {
    /** Its key in the summary. */
    key: string;
    /** How the summary's text table names it. */
    label: string;
    /** The judge's report under the profile's results folder. */
    file: string;
    read(report: unknown): number;
  };
  /** The judge's acceptance checks in the summary. */
  checks?(conditions: readonly CheckedCondition[], figure: number | null): Check[];
}
