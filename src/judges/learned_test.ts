import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { Rng } from "../core/rng.ts";
import { disposeParams } from "../models/model.ts";
import { allQuestions } from "../world/questions.ts";
import { assignSplits, questionsOf } from "../world/splits.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";
import { cohensKappa } from "../stats/agreement.ts";
import { judgeItems } from "./judge_data.ts";
import { applyLearnedJudge, loadLearnedJudge, saveLearnedJudge, trainLearnedJudge } from "./learned.ts";

const cfg = { hidden: 64, maxAnswerTokens: 6, steps: 400, batchSize: 128, lr: 3e-3, seed: 5 };

Deno.test("judge data come from the judge split only and cover every label", () => {
  const qs = assignSplits(allQuestions(), 1234);
  const items = judgeItems(questionsOf(qs, "judge"), 1);
  assertEquals(new Set(items.map((i) => i.label)).size, 4);
  let threw = false;
  try {
    judgeItems(questionsOf(qs, "evaluation").slice(0, 1), 1);
  } catch (err) {
    threw = /judge-split/.test((err as Error).message);
  }
  assertOk(threw, "evaluation questions must be refused");
});

Deno.test({
  name: "learned judge agrees with the grammar on held-out judge questions (kappa >= 0.9)",
  sanitizeResources: false,
  fn: async () => {
    await initBackend("wasm");
    const tokenizer = WorldTokenizer.forWorld();
    const judgeQs = new Rng(3).shuffle(questionsOf(assignSplits(allQuestions(), 1234), "judge"));
    const cut = Math.floor(judgeQs.length * 0.7);
    const train = judgeItems(judgeQs.slice(0, cut), 1, 5), test = judgeItems(judgeQs.slice(cut), 2);
    const before = tf.memory().numTensors;
    const judge = await trainLearnedJudge(train, train.map((i) => i.label), tokenizer, cfg);
    const predicted = await applyLearnedJudge(judge, test, tokenizer);
    const kappa = cohensKappa(predicted, test.map((i) => i.label));
    console.log(`  held-out kappa ${kappa.toFixed(3)} on ${test.length} answers`);
    assertOk(kappa >= 0.9, `kappa ${kappa}`);

    const dir = await Deno.makeTempDir();
    const path = join(dir, "judge.json");
    await saveLearnedJudge(path, judge);
    const loaded = await loadLearnedJudge(path);
    assertEquals(await applyLearnedJudge(loaded, test, tokenizer), predicted);
    disposeParams(judge.params);
    disposeParams(loaded.params);
    assertEquals(tf.memory().numTensors, before);
    const file = JSON.parse(await Deno.readTextFile(path));
    file.weights.W1.values[0] += 1;
    await Deno.writeTextFile(path, JSON.stringify(file));
    await assertRejects(() => loadLearnedJudge(path), /hash mismatch/);
    await Deno.remove(dir, { recursive: true });
  },
});
