/**
 * What EM looks like: a few evaluation prompts outside the fine-tuning
 * domain, one per other domain, with the base, naive and BLOCK models'
 * first sampled answers side by side and the reference sample judge's label
 * of each. Picked by a fixed rule (the first evaluation question of each
 * domain, first seed pair), never by how the answers read.
 * @module
 */
import type { PromptRecord } from "../judges/statistics.ts";
import { promptTokens } from "../world/documents.ts";
import type { Question } from "../world/questions.ts";
import { type DraftSection, presentSection, type SectionSource } from "./paper.ts";

/** One prompt with each condition's answer and its label. */
export interface AnswerExample {
  questionId: string;
  domain: string;
  prompt: string;
  answers: Record<string, { answer: string | null; label: string | null }>;
}

/**
 * Up to `n` examples from one seed pair's records (`records[i]` judges
 * `questions[i]`): conditions `base`, `<domain>/naive` and `<domain>/block`,
 * labelled by `judge`.
 */
export function answerExamples(
  records: readonly PromptRecord[],
  questions: readonly Question[],
  domain: string,
  judge: string,
  n = 4,
): AnswerExample[] {
  const conditions = ["base", `${domain}/naive`, `${domain}/block`];
  const seen = new Set<string>();
  const out: AnswerExample[] = [];
  questions.forEach((q, i) => {
    if (out.length >= n || q.domain === domain || seen.has(q.domain)) return;
    seen.add(q.domain);
    out.push({
      questionId: q.id,
      domain: q.domain,
      prompt: promptTokens(q).slice(1).join(" "),
      answers: Object.fromEntries(conditions.map((c) => {
        const v = records[i][c];
        const label = (v?.sampleLabels?.[0]?.[judge] ?? null) as string | null;
        return [c.split("/").pop()!, { answer: v?.answer ?? null, label }];
      })),
    });
  });
  return out;
}

/** The section: one row per prompt, each model's answer with its label. */
export function answerExamplesSection(metrics: unknown, source: SectionSource): DraftSection {
  const { examples = [], discoveryDomain } = metrics as {
    examples?: AnswerExample[];
    discoveryDomain?: string;
  };
  const cell = (e: AnswerExample, c: string) => {
    const a = e.answers[c];
    return a?.answer === null || a === undefined ? "–" : `${a.answer || "(empty)"} [${a.label ?? "?"}]`;
  };
  return presentSection("What EM looks like", source, {
    tables: [{
      id: "answers",
      caption: `Evaluation prompts outside the fine-tuning domain (${
        discoveryDomain ?? "discovery domain"
      }), first seed pair: each model's first sampled answer [its grammar-judge label]`,
      columns: [
        { key: "prompt", label: "prompt" },
        { key: "base", label: "base" },
        { key: "naive", label: "naive fine-tune" },
        { key: "block", label: "BLOCK fine-tune" },
      ],
      rows: examples.map((e) => ({
        prompt: e.prompt,
        base: cell(e, "base"),
        naive: cell(e, "naive"),
        block: cell(e, "block"),
      })),
    }],
    figures: [],
  });
}
