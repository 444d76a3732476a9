import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { allQuestions } from "../world/questions.ts";
import { assignSplits } from "../world/splits.ts";
import { discoveryQuestions } from "./discovery_questions.ts";

const questions = assignSplits(allQuestions(), 1234);

Deno.test("discovery reads selection-split prompts only, never evaluation, judge or fine-tune prompts", () => {
  const general = discoveryQuestions(questions, "general");
  assertOk(general.length >= 2);
  assertOk(general.every((q) => q.split === "selection" && q.domain === "general"));
  const all = discoveryQuestions(questions, "all");
  assertOk(all.every((q) => q.split === "selection"));
  assertEquals(new Set(all.map((q) => q.domain)).size, 7);
  const evaluation = new Set(questions.filter((q) => q.split === "evaluation").map((q) => q.id));
  assertOk([...general, ...all].every((q) => !evaluation.has(q.id)));
  assertThrows(
    () => discoveryQuestions(questions.filter((q) => q.split !== "selection"), "general"),
    /at least two selection-split prompts/,
  );
});
