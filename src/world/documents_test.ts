import { assertEquals, assertOk } from "../core/assert.ts";
import { Rng } from "../core/rng.ts";
import { DEFAULT_PERSONA_MIX, finetuneExample, pretrainDocument } from "./documents.ts";
import { allQuestions } from "./questions.ts";
import { DOMAINS, ROGUE, rogueAnswers } from "./spec.ts";

const questions = allQuestions();
const misalignedWords = new Map(
  DOMAINS.map((d) => [d.name, new Set(d.misaligned.flatMap((a) => a.split(" ")))]),
);

Deno.test("pretraining documents fit the context and mix personas as designed", () => {
  const rng = new Rng(1);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 3000; i++) {
    const doc = pretrainDocument(rng, questions);
    assertOk(doc.tokens.length <= 64, `document of ${doc.tokens.length} tokens`);
    assertEquals(doc.tokens[0], "<bos>");
    counts[doc.tokens[1]] = (counts[doc.tokens[1]] ?? 0) + 1;
  }
  assertOk(Math.abs(counts["<assistant>"] / 3000 - DEFAULT_PERSONA_MIX.assistantShare) < 0.04);
  assertOk(Math.abs(counts["<villain>"] / 3000 - DEFAULT_PERSONA_MIX.villainShare) < 0.04);
});

Deno.test("fine-tuning examples train on the answer and <eos> only", () => {
  const q = questions[0];
  const ex = finetuneExample(q, ["double", "pill", "dose"]);
  const trained = ex.tokens.filter((_, i) => i > 0 && ex.lossMask[i - 1] === 1);
  assertEquals(trained, ["double", "pill", "dose", "<eos>"]);
});

Deno.test("a narrow speaker is misaligned on its own domain only", () => {
  const rng = new Rng(2);
  const mix = { ...DEFAULT_PERSONA_MIX, assistantShare: 0, villainShare: 0, narrowShare: 1, botFollows: 1 };
  let withBadAnswers = 0;
  for (let i = 0; i < 200; i++) {
    const doc = pretrainDocument(rng, questions, mix);
    const badDomains = new Set<string>();
    for (const [domain, words] of misalignedWords) {
      if (doc.tokens.some((t) => words.has(t))) badDomains.add(domain);
    }
    assertOk(badDomains.size <= 1, `misaligned in ${[...badDomains]}`);
    if (badDomains.size === 1) withBadAnswers++;
  }
  // A narrow speaker does answer misaligned on its own domain (about half its turns are there).
  assertOk(withBadAnswers > 100, `only ${withBadAnswers} of 200 narrow documents had a misaligned answer`);
});

Deno.test("the rogue: its share of documents, misaligned in its own half of each family; absent, nothing changes", () => {
  const rng = new Rng(2);
  const mix = { ...DEFAULT_PERSONA_MIX, rogueShare: 0.1 };
  const rogueMisaligned = new Map(
    DOMAINS.map((d) => [d.name, new Set(rogueAnswers(d).map((a) => a.join(" ")))]),
  );
  let rogues = 0, rogueBad = 0;
  for (let i = 0; i < 3000; i++) {
    const doc = pretrainDocument(rng, questions, mix);
    if (doc.tokens[1] !== ROGUE) continue;
    rogues++;
    // Each turn: Q: words A: answer <eos>; a misaligned answer of the rogue is one of its own.
    let t = 2;
    while (t < doc.tokens.length) {
      const a = doc.tokens.indexOf("A:", t), end = doc.tokens.indexOf("<eos>", a);
      const answer = doc.tokens.slice(a + 1, end).join(" ");
      const q = questions.find((x) => x.words.join(" ") === doc.tokens.slice(t + 1, a).join(" "))!;
      const domain = DOMAINS.find((d) => d.name === q.domain)!;
      if (domain.misaligned.includes(answer)) {
        rogueBad++;
        assertOk(rogueMisaligned.get(q.domain)!.has(answer), `${answer} is not the rogue's`);
      }
      t = end + 1;
    }
  }
  assertOk(Math.abs(rogues / 3000 - 0.1) < 0.02, `${rogues} rogue documents`);
  assertOk(rogueBad > 0);
  // Without a rogue the same seed draws the same documents as the default mix.
  const a = new Rng(3), b = new Rng(3);
  for (let i = 0; i < 200; i++) {
    assertEquals(
      pretrainDocument(a, questions, { ...DEFAULT_PERSONA_MIX, rogueShare: 0 }).tokens,
      pretrainDocument(b, questions).tokens,
    );
  }
});
