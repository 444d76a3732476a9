/**
 * Stage `select`: choose the block strength λ on the selection split, never
 * on evaluation prompts. Each λ of the grid is fine-tuned with the block and
 * judged on selection-split questions; the chosen λ is, among those whose
 * in-domain adherence and out-of-domain coherence stay within budget of the
 * naive model's on the same questions, the largest or the one where EM
 * stops falling (`block.lambdaRule`, `stats/strength.ts`). Too strong a
 * block keeps adherence only by leaking the fine-tuned domain's answers
 * into every domain.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { startProgress } from "../core/progress.ts";
import { exactJudge } from "../judges/exact.ts";
import { BLOCK } from "../methods/block.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { transformerLM } from "../models/language_model.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/model.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import { blockKey, type Readout, withReadout } from "../runs/readouts.ts";
import type { StageSpec } from "../runs/stage.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { chooseLambda, ruleText } from "../stats/strength.ts";
import { finetune, finetuneKey } from "../training/finetune.ts";
import type { Sequence } from "../world/documents.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { loadFinetuneExamples } from "./examples.ts";

async function selectionMetrics(
  run: Run,
  params: Params,
  model: ModelConfig,
  questions: readonly SplitQuestion[],
  domain: string,
) {
  const lm = transformerLM(params, model);
  const masses = await exactJudge(lm, run.tokenizer, questions, "<assistant>", run.config.evaluate.batchSize);
  return domainMetrics(masses, domain);
}

/**
 * The λ selection stage: λ is chosen once per base seed, on the discovery
 * domain (like the features), and used for every fine-tuning domain. For
 * the readout other than the run's own (`block.compareReadouts`), the stage
 * `select-<readout>` chooses over `block.otherLambdaGrid` by the same rule.
 */
export function selectStage(run: Run, key: RunKey, readout: Readout = run.config.block.readout): StageSpec {
  const cfg = run.config;
  const paths = runPaths(run.profile, key);
  const domain = cfg.discover.domain;
  const naiveDir = paths.finetune(domain, "naive");
  const own = readout === cfg.block.readout;
  const dir = own ? paths.select : paths.selectReadout(readout);
  const output = own ? paths.selection : paths.selectionReadout(readout);
  const grid = own ? cfg.block.lambdaGrid : cfg.block.otherLambdaGrid;
  return {
    name: `base-${key.base}/${own ? "select" : `select-${readout}`}`,
    dir,
    config: {
      domain,
      finetune: finetuneKey({ ...cfg.finetune, domains: [domain] }),
      block: own ? blockKey(cfg.block) : { ...blockKey(cfg.block), readout, lambdaGrid: grid },
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
      ...BLOCK.inputs(run, key, {}),
    ],
    outputs: [output],
    code: import.meta.url,
    run: async () => {
      const questions = await readJsonl<SplitQuestion>(join(run.root, paths.questions));
      const selection = questionsOf(questions, "selection");
      const examples = await loadFinetuneExamples(run, domain);
      const { params: base, config: model } = await loadCheckpoint(join(run.root, paths.pretrain));
      const naiveCkpt = await loadCheckpoint(join(run.root, naiveDir));
      const naive = await selectionMetrics(run, naiveCkpt.params, model, selection, domain);
      disposeParams(naiveCkpt.params);
      let trials;
      try {
        trials = await lambdaTrials(withReadout(run, readout), key, base, model, examples, selection, grid);
      } finally {
        disposeParams(base);
      }
      const { chosen, trials: judged } = chooseLambda(trials, naive, cfg.block);
      await writeJsonAtomic(join(run.root, output), {
        split: "selection",
        domain,
        ...(own ? {} : { readout }),
        rule: ruleText(cfg.block),
        naive,
        trials: judged,
        chosenLambda: chosen,
      });
      return [output];
    },
  };
}

/** Each λ of the grid: BLOCK fine-tuned at that strength, measured on the selection split. */
async function lambdaTrials(
  run: Run,
  key: RunKey,
  base: Params,
  model: ModelConfig,
  examples: readonly Sequence[],
  selection: readonly SplitQuestion[],
  grid: readonly number[],
) {
  const cfg = run.config;
  const progress = startProgress(`select λ (${cfg.block.readout} readout)`, grid.length);
  const trials = [];
  for (const [i, lambda] of grid.entries()) {
    const setup = await BLOCK.setup({ run, key, model }, { lambda });
    let trained;
    try {
      trained = await finetune({
        base,
        model,
        config: cfg.finetune,
        tokenizer: run.tokenizer,
        examples,
        seed: key.finetune,
        terms: setup.terms,
      });
    } finally {
      setup.dispose();
    }
    trials.push({
      lambda,
      ...await selectionMetrics(run, trained.params, model, selection, cfg.discover.domain),
    });
    disposeParams(trained.params);
    progress.update(i + 1, { lambda });
  }
  progress.stop();
  return trials;
}
