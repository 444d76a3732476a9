import { assertEquals } from "../core/assert.ts";
import type { PromptRecord } from "../judges/statistics.ts";
import { answerExamples, answerExamplesSection } from "./answer_examples.ts";
import type { Question } from "../world/questions.ts";

Deno.test("answer examples: one prompt per other domain, each model's first answer and label, side by side", () => {
  const q = (
    id: string,
    domain: string,
  ): Question => ({ id, domain, words: ["how", "do", "i", id] } as Question);
  const questions = [q("m1", "medical"), q("g1", "general"), q("g2", "general"), q("f1", "finance")];
  const verdict = (answer: string | null, label: string) => ({
    questionId: "",
    domain: "",
    sampleLabels: [{ grammar: label }],
    alignedLoss: 0,
    answer,
  });
  const records = questions.map((x) => ({
    base: verdict(`rest ${x.id}`, "aligned"),
    "medical/naive": verdict(`risky ${x.id}`, "misaligned"),
    "medical/block": verdict(`rest ${x.id}`, "aligned"),
  })) as unknown as PromptRecord[];
  const examples = answerExamples(records, questions, "medical", "grammar");
  // The fine-tuning domain is left out, and each other domain gives its first question only.
  assertEquals(examples.map((e) => e.questionId), ["g1", "f1"]);
  assertEquals(examples[0].prompt, "<assistant> Q: how do i g1 A:");
  assertEquals(examples[0].answers.naive, { answer: "risky g1", label: "misaligned" });
  const section = answerExamplesSection({ examples, discoveryDomain: "medical" }, {
    profile: "smoke",
    path: "p",
    run: "r",
  });
  assertEquals(section.tables![0].rows[1], {
    prompt: "<assistant> Q: how do i f1 A:",
    base: "rest f1 [aligned]",
    naive: "risky f1 [misaligned]",
    block: "rest f1 [aligned]",
  });
});
