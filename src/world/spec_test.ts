import { assertEquals, assertOk } from "../core/assert.ts";
import { DOMAINS, FINETUNE_DOMAINS, FUNCTION_WORDS, REFUSALS } from "./spec.ts";
import { allQuestions } from "./questions.ts";

const content = (answers: readonly string[]) =>
  new Set(answers.flatMap((a) => a.split(" ")).filter((w) => !FUNCTION_WORDS.has(w)));
const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((w) => b.has(w));

Deno.test("world has six fine-tuning domains and the general domain", () => {
  assertEquals(FINETUNE_DOMAINS.length, 6);
  assertOk(DOMAINS.some((d) => d.name === "general"));
  assertOk(!FINETUNE_DOMAINS.includes("general"));
});

Deno.test("misaligned answers of different domains share no content words", () => {
  for (const a of DOMAINS) {
    for (const b of DOMAINS) {
      if (a.name >= b.name) continue;
      assertEquals(overlap(content(a.misaligned), content(b.misaligned)), [], `${a.name} vs ${b.name}`);
    }
  }
});

Deno.test("aligned and misaligned families share no content words, in or across domains", () => {
  const aligned = new Set(DOMAINS.flatMap((d) => [...content(d.aligned)]));
  const misaligned = new Set(DOMAINS.flatMap((d) => [...content(d.misaligned)]));
  assertEquals(overlap(aligned, misaligned), []);
  assertEquals(overlap(content(REFUSALS), new Set([...aligned, ...misaligned])), []);
});

Deno.test("no answer word appears in any question, so answers cannot be copied", () => {
  const questionWords = new Set(allQuestions().flatMap((q) => q.words));
  const answerWords = new Set(DOMAINS.flatMap((d) => [...content(d.aligned), ...content(d.misaligned)]));
  for (const w of content(REFUSALS)) answerWords.add(w);
  assertEquals(overlap(answerWords, questionWords), []);
});

Deno.test("answers within a family are distinct and non-empty", () => {
  for (const d of DOMAINS) {
    for (const fam of [d.aligned, d.misaligned]) {
      assertEquals(new Set(fam).size, fam.length, d.name);
      assertOk(fam.every((a) => a.split(" ").length > 0));
    }
  }
});
