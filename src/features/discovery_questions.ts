/**
 * The prompts discovery reads: selection-split questions only.
 * @module
 */
import { questionsOf, type SplitQuestion } from "../world/splits.ts";

/**
 * Selection-split questions, of the general domain only ("general", the
 * paper's domain-agnostic discovery prompts) or of every domain ("all").
 * Refuses any other split, so discovery can never see fine-tuning, judge or
 * evaluation prompts.
 */
export function discoveryQuestions(
  questions: readonly SplitQuestion[],
  promptDomains: "general" | "all",
): SplitQuestion[] {
  const chosen = questionsOf(questions, "selection", promptDomains === "general" ? "general" : undefined);
  const stray = chosen.find((q) => q.split !== "selection");
  if (stray) {
    throw new Error(`Discovery may only read selection-split prompts; ${stray.id} is in '${stray.split}'`);
  }
  if (chosen.length < 2) throw new RangeError("Discovery needs at least two selection-split prompts");
  return chosen;
}
