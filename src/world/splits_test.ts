import { assertEquals, assertOk } from "../core/assert.ts";
import { allQuestions } from "./questions.ts";
import { assignSplits, questionsOf, SPLITS } from "./splits.ts";

Deno.test("every question is in exactly one split and ids are unique", () => {
  const qs = assignSplits(allQuestions(), 1234);
  assertEquals(new Set(qs.map((q) => q.id)).size, qs.length);
  const total = SPLITS.reduce((s, split) => s + questionsOf(qs, split).length, 0);
  assertEquals(total, qs.length);
});

Deno.test("splits are disjoint by question text", () => {
  const qs = assignSplits(allQuestions(), 1234);
  const owner = new Map<string, string>();
  for (const q of qs) {
    const text = q.words.join(" ");
    assertOk(!owner.has(text) || owner.get(text) === q.split, `'${text}' is in two splits`);
    owner.set(text, q.split);
  }
});

Deno.test("splits are deterministic in the split seed and change with it", () => {
  const a = assignSplits(allQuestions(), 1234).map((q) => q.split);
  const b = assignSplits(allQuestions(), 1234).map((q) => q.split);
  const c = assignSplits(allQuestions(), 99).map((q) => q.split);
  assertEquals(a, b);
  assertOk(a.join() !== c.join());
});

Deno.test("every domain has questions in every split it needs; general is never fine-tuned on", () => {
  const qs = assignSplits(allQuestions(), 1234);
  for (const d of new Set(qs.map((q) => q.domain))) {
    for (const split of ["pretrain", "selection", "judge", "evaluation"] as const) {
      assertOk(questionsOf(qs, split, d).length > 0, `${d} lacks ${split}`);
    }
    assertEquals(questionsOf(qs, "finetune", d).length > 0, d !== "general");
  }
});

Deno.test("every domain's templates all appear in the judge, selection and evaluation splits", () => {
  const qs = assignSplits(allQuestions(), 1234);
  for (const split of ["judge", "selection", "evaluation"] as const) {
    const seen = new Set(questionsOf(qs, split).map((q) => `${q.domain}/${q.template}`));
    const all = new Set(qs.map((q) => `${q.domain}/${q.template}`));
    assertEquals(seen.size, all.size, split);
  }
});
