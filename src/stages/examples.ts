/**
 * The fine-tuning examples of a domain as stages read them: the stored
 * records, checked to come from the fine-tune split, as sequences under a
 * persona tag.
 * @module
 */
import { join } from "node:path";
import { readJsonl } from "../core/atomic.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import { finetuneExample, type Sequence } from "../world/documents.ts";
import type { SplitQuestion } from "../world/splits.ts";
import type { Persona } from "../world/spec.ts";

/** One fine-tuning example as stored: the question and the taught answer. */
export interface FinetuneRecord {
  questionId: string;
  domain: string;
  answer: string;
}

/** The fine-tuning examples of `domain`, checked to come from the fine-tune split. */
export async function loadFinetuneExamples(
  run: Run,
  domain: string,
  persona: Persona = "<assistant>",
): Promise<Sequence[]> {
  const paths = runPaths(run.profile);
  const questions = new Map(
    (await readJsonl<SplitQuestion>(join(run.root, paths.questions))).map((q) => [q.id, q]),
  );
  const records = await readJsonl<FinetuneRecord>(join(run.root, paths.finetuneSet(domain)));
  return records.map((r) => {
    const q = questions.get(r.questionId);
    if (!q || q.split !== "finetune") {
      throw new Error(`Fine-tune record ${r.questionId} is not a fine-tune-split question`);
    }
    return finetuneExample(q, r.answer.split(" "), persona);
  });
}
