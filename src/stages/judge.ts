/**
 * Stage `judge`: train the learned judge on labelled answers of the judge
 * split only, and measure its agreement with the grammar on judge-split
 * questions held out from its training.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { Rng } from "../core/rng.ts";
import { cohensKappa } from "../stats/agreement.ts";
import { judgeItems } from "../judges/judge_data.ts";
import { applyLearnedJudge, saveLearnedJudge, trainLearnedJudge } from "../judges/learned.ts";
import { disposeParams } from "../models/model.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";

/** The learned-judge stage. */
export function judgeStage(run: Run): StageSpec {
  const cfg = run.config, root = run.root;
  const paths = runPaths(run.profile);
  return {
    name: "judge",
    dir: paths.judge,
    config: { judge: cfg.judge, maxAnswerTokens: cfg.evaluate.maxAnswerTokens },
    seeds: { judgeSeed: cfg.judge.seed },
    inputs: [paths.questions],
    outputs: [paths.learnedJudge, paths.judgeReport],
    code: import.meta.url,
    run: async () => {
      const tokenizer = run.tokenizer;
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      // Hold out a share of each (domain, template) group, so training sees every template.
      const rng = Rng.fork(cfg.judge.seed, "judge/holdout");
      const groups = new Map<string, SplitQuestion[]>();
      for (const q of questionsOf(questions, "judge")) {
        groups.set(`${q.domain}/${q.template}`, [...(groups.get(`${q.domain}/${q.template}`) ?? []), q]);
      }
      const trainQs: SplitQuestion[] = [], heldOutQs: SplitQuestion[] = [];
      for (const group of groups.values()) {
        const shuffled = rng.shuffle(group);
        const held = Math.min(group.length - 1, Math.round(group.length * cfg.judge.heldOutShare));
        heldOutQs.push(...shuffled.slice(0, held));
        trainQs.push(...shuffled.slice(held));
      }
      const cut = trainQs.length;
      const train = judgeItems(trainQs, cfg.judge.seed, cfg.judge.variantsPerAnswer);
      const heldOut = judgeItems(heldOutQs, cfg.judge.seed + 1);
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
        heldOutQuestions: heldOutQs.length,
        heldOutItems: heldOut.length,
        kappaVsGrammar: cohensKappa(predicted, heldOut.map((i) => i.label)),
        accuracy: agree,
      });
      return [paths.learnedJudge, paths.judgeReport];
    },
  };
}
