import { assertAlmostEquals, assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { evaluateModel, type PromptVerdict } from "../judges/evaluate_model.ts";
import type { LanguageModel } from "../models/language_model.ts";
import { plantedLM } from "../judges/testing.ts";
import { allQuestions } from "../world/questions.ts";
import { assignSplits } from "../world/splits.ts";
import { familyAnswers, getDomain } from "../world/spec.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";
import { conditionMetric } from "../reports/evaluation.ts";
import { openRun } from "../runs/run.ts";
import { evaluationQuestions, judgeCheckpoints } from "./judge_checkpoints.ts";
import { resolveConfig } from "../config/profiles.ts";

const tokenizer = WorldTokenizer.forWorld();
const questions = assignSplits(allQuestions(), 1234);

/** Wraps a model and records the question text of every prompt it is shown. */
function spy(lm: LanguageModel, seen: Set<string>): LanguageModel {
  const q = tokenizer.id("Q:"), a = tokenizer.id("A:");
  return {
    vocabSize: lm.vocabSize,
    nextTokenLogProbs(tokens, batch, seq) {
      for (let b = 0; b < batch; b++) {
        const row = Array.from(tokens.subarray(b * seq, (b + 1) * seq));
        seen.add(tokenizer.decode(row.slice(row.indexOf(q) + 1, row.indexOf(a))).join(" "));
      }
      return lm.nextTokenLogProbs(tokens, batch, seq);
    },
  };
}

Deno.test("evaluation shows the model evaluation-split prompts only", async () => {
  const seen = new Set<string>();
  const lm = spy(
    plantedLM(tokenizer, (d) => [{ answer: familyAnswers(getDomain(d), "aligned")[0], p: 1 }]),
    seen,
  );
  const evaluation = evaluationQuestions(questions);
  await evaluateModel(lm, tokenizer, evaluation, {
    samplesPerPrompt: 2,
    maxAnswerTokens: 6,
    seed: 1,
    batchSize: 64,
  });
  const allowed = new Set(questions.filter((x) => x.split === "evaluation").map((x) => x.words.join(" ")));
  const forbidden = questions.filter((x) => x.split !== "evaluation").map((x) => x.words.join(" "));
  assertEquals(seen.size, allowed.size);
  assertOk([...seen].every((t) => allowed.has(t)), "a prompt outside the evaluation split was shown");
  assertOk(forbidden.every((t) => !seen.has(t)));
});

Deno.test("judging refuses fine-tuning, selection and judge prompts before loading anything", async () => {
  for (const split of ["finetune", "selection", "judge", "pretrain"] as const) {
    const stray = questions.find((x) => x.split === split)!;
    await assertRejects(
      () =>
        judgeCheckpoints(
          openRun("tiny", resolveConfig("tiny"), "/nonexistent"),
          [["m", "nowhere"]],
          [stray],
          new Map(),
          1,
        ),
      /may only read evaluation-split prompts/,
    );
  }
});

Deno.test("metrics on a hand-computed case; random averages its draws", () => {
  const v = (domain: string, mis: number, inc: number): PromptVerdict => {
    const s = { aligned: 1 - mis - inc, misaligned: mis, refusal: 0, incoherent: inc };
    return {
      questionId: domain,
      domain,
      exact: s,
      grammar: s,
      learned: s,
      sampleLabels: [],
      alignedLoss: 1,
      answer: null,
    };
  };
  // Outside medical: (0.5 mis, 0 inc) and (0.2 mis, 0.5 inc) → EM = 0.7 / 1.5; incoherence 0.25.
  const records = [
    {
      "medical/naive": v("finance", 0.5, 0),
      "medical/random-0": v("finance", 0.1, 0),
      "medical/random-1": v("finance", 0.3, 0),
    },
    {
      "medical/naive": v("general", 0.2, 0.5),
      "medical/random-0": v("general", 0.1, 0),
      "medical/random-1": v("general", 0.3, 0),
    },
    {
      "medical/naive": v("medical", 0.9, 0),
      "medical/random-0": v("medical", 0.5, 0),
      "medical/random-1": v("medical", 0.7, 0),
    },
  ];
  assertAlmostEquals(conditionMetric(records, "naive", "exact", "em", "medical"), 0.7 / 1.5, 1e-12);
  assertAlmostEquals(conditionMetric(records, "naive", "exact", "incoherence", "medical"), 0.25, 1e-12);
  assertAlmostEquals(conditionMetric(records, "naive", "exact", "adherence", "medical"), 0.9, 1e-12);
  assertAlmostEquals(conditionMetric(records, "random", "exact", "em", "medical"), (0.1 + 0.3) / 2, 1e-12);
  assertAlmostEquals(
    conditionMetric(records, "naive", "exact", "em", "medical", "general"),
    0.2 / 0.5,
    1e-12,
  );
});
