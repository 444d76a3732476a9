/**
 * Stage `judge`: train the learned judge on labelled answers of the judge
 * split only, and measure its agreement with the grammar on judge-split
 * questions held out from its training.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { Rng } from "../core/rng.ts";
import { cohensKappa } from "../judges/agreement.ts";
import { judgeItems } from "../judges/judge_data.ts";
import { applyLearnedJudge, saveLearnedJudge, trainLearnedJudge } from "../judges/learned.ts";
import { disposeParams } from "../model/transformer.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../world/tokenizer.ts";
import type { RunConfig } from "./profiles.ts";
import { runPaths } from "./paths.ts";
import type { StageSpec } from "./stage.ts";

/** The learned-judge stage. */
export function judgeStage(cfg: RunConfig, root: string, profile: string): StageSpec {
  const paths = runPaths(profile);
  return {
    name: "judge",
    dir: paths.judge,
    config: { judge: cfg.judge, maxAnswerTokens: cfg.evaluate.maxAnswerTokens },
    seeds: { judgeSeed: cfg.judge.seed },
    inputs: [paths.questions],
    run: async () => {
      const tokenizer = Tokenizer.forWorld();
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const judgeQs = Rng.fork(cfg.judge.seed, "judge/holdout").shuffle(questionsOf(questions, "judge"));
      const cut = Math.round(judgeQs.length * (1 - cfg.judge.heldOutShare));
      const train = judgeItems(judgeQs.slice(0, cut), cfg.judge.seed, cfg.judge.variantsPerAnswer);
      const heldOut = judgeItems(judgeQs.slice(cut), cfg.judge.seed + 1);
      const judge = await trainLearnedJudge(train, train.map((i) => i.label), tokenizer, {
        hidden: cfg.judge.hidden,
        maxAnswerTokens: cfg.evaluate.maxAnswerTokens,
        steps: cfg.judge.steps,
        batchSize: cfg.judge.batchSize,
        lr: cfg.judge.lr,
        seed: cfg.judge.seed,
      });
      const predicted = await applyLearnedJudge(judge, heldOut, tokenizer);
      const hash = await saveLearnedJudge(join(root, paths.learnedJudge), judge);
      disposeParams(judge.params);
      const agree = predicted.filter((p, i) => p === heldOut[i].label).length / heldOut.length;
      await writeJsonAtomic(join(root, paths.judgeReport), {
        judgeSha256: hash,
        trainQuestions: cut,
        trainItems: train.length,
        heldOutQuestions: judgeQs.length - cut,
        heldOutItems: heldOut.length,
        kappaVsGrammar: cohensKappa(predicted, heldOut.map((i) => i.label)),
        accuracy: agree,
      });
      return [paths.learnedJudge, paths.judgeReport];
    },
  };
}
