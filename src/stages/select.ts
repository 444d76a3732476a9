/**
 * Stage `select`: choose the block strength λ on the selection split, never
 * on evaluation prompts. Each λ of the grid is fine-tuned with the block and
 * judged on selection-split questions; the chosen λ is the largest whose
 * in-domain adherence and out-of-domain coherence stay within budget of the
 * naive model's on the same questions. Too strong a block keeps adherence
 * only by leaking the fine-tuned domain's answers into every domain.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { startProgress } from "../core/progress.ts";
import { exactJudge } from "../judges/exact.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { transformerLM } from "../models/language_model.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/organism/transformer.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import { conditionFeatures, featureInputs, loadFinetuneExamples, trainCondition } from "./finetune.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { StageSpec } from "../runs/stage.ts";

/** One λ tried, measured on the selection split. */
export interface LambdaTrial {
  lambda: number;
  em: number;
  incoherence: number;
  adherence: number;
  withinBudget: boolean;
}

/** The largest λ within budget, or the smallest λ when none is. */
export function chooseLambda(
  trials: readonly Omit<LambdaTrial, "withinBudget">[],
  naive: { adherence: number; incoherence: number },
  minAdherenceRatio: number,
  maxIncoherenceRise: number,
): { chosen: number; trials: LambdaTrial[] } {
  if (trials.length === 0) throw new RangeError("Config key 'block.lambdaGrid' must not be empty");
  const judged = trials.map((t) => ({
    ...t,
    withinBudget: t.adherence >= minAdherenceRatio * naive.adherence &&
      t.incoherence <= naive.incoherence + maxIncoherenceRise,
  }));
  const ok = judged.filter((t) => t.withinBudget).map((t) => t.lambda);
  return {
    chosen: ok.length > 0 ? Math.max(...ok) : Math.min(...trials.map((t) => t.lambda)),
    trials: judged,
  };
}

async function selectionMetrics(
  params: Params,
  model: ModelConfig,
  questions: readonly SplitQuestion[],
  cfg: RunConfig,
  domain: string,
) {
  const masses = await exactJudge(
    transformerLM(params, model),
    Tokenizer.forWorld(),
    questions,
    "<assistant>",
    cfg.evaluate.batchSize,
  );
  return domainMetrics(masses, domain);
}

/**
 * The λ selection stage: λ is chosen once per base seed, on the discovery
 * domain (like the features), and used for every fine-tuning domain.
 */
export function selectStage(cfg: RunConfig, root: string, profile: string, key: RunKey): StageSpec {
  const paths = runPaths(profile, key);
  const domain = cfg.discover.domain;
  const naiveDir = paths.finetune(domain, "naive");
  return {
    name: `base-${key.base}/select`,
    dir: paths.select,
    config: {
      domain,
      finetune: { ...cfg.finetune, domains: [domain] },
      block: cfg.block,
      features: cfg.discover.features,
      evaluate: { batchSize: cfg.evaluate.batchSize },
    },
    seeds: { baseSeed: key.base, finetuneSeed: key.finetune },
    inputs: [
      paths.questions,
      paths.finetuneSet(domain),
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
      `${naiveDir}/model.json`,
      `${naiveDir}/weights.bin`,
      ...featureInputs(cfg, profile, key),
    ],
    code: import.meta.url,
    run: async () => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const selection = questionsOf(questions, "selection");
      const examples = await loadFinetuneExamples(root, profile, domain);
      const { params: base, config: model } = await loadCheckpoint(join(root, paths.pretrain));
      const naiveCkpt = await loadCheckpoint(join(root, naiveDir));
      const naive = await selectionMetrics(naiveCkpt.params, model, selection, cfg, domain);
      disposeParams(naiveCkpt.params);
      const held = (await conditionFeatures("block", cfg, root, profile, key))!;
      const progress = startProgress("select λ", cfg.block.lambdaGrid.length);
      const trials = [];
      try {
        for (const [i, lambda] of cfg.block.lambdaGrid.entries()) {
          const { params } = await trainCondition(
            base,
            model,
            cfg,
            examples,
            key.finetune,
            held.features,
            lambda,
          );
          trials.push({ lambda, ...await selectionMetrics(params, model, selection, cfg, domain) });
          disposeParams(params);
          progress.update(i + 1, { lambda });
        }
      } finally {
        held.features.dispose();
      }
      progress.stop();
      disposeParams(base);
      const { chosen, trials: judged } = chooseLambda(
        trials,
        naive,
        cfg.block.minAdherenceRatio,
        cfg.block.maxIncoherenceRise,
      );
      await writeJsonAtomic(join(root, paths.selection), {
        split: "selection",
        domain,
        rule:
          `largest λ with adherence >= ${cfg.block.minAdherenceRatio} x naive and incoherence <= naive + ${cfg.block.maxIncoherenceRise}`,
        naive,
        trials: judged,
        chosenLambda: chosen,
      });
      return [paths.selection];
    },
  };
}
