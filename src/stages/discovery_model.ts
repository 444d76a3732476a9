/**
 * Stage `discovery-model`: the paper's discovery model, a naive fine-tune
 * of the base on the discovery domain with its own seed. Discovery diffs it
 * against the base; the evaluated models are trained separately.
 * @module
 */
import { join } from "node:path";
import { startProgress } from "../core/progress.ts";
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { disposeParams } from "../models/model.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import { finetuneResume } from "../runs/resume.ts";
import type { StageSpec } from "../runs/stage.ts";
import { finetune, finetuneKey } from "../training/finetune.ts";
import { loadFinetuneExamples } from "./examples.ts";

/** The discovery-model stage of a base seed. */
export function discoveryModelStage(run: Run, key: RunKey): StageSpec {
  const cfg = run.config;
  const paths = runPaths(run.profile, key);
  const domain = cfg.discover.domain;
  const outputs = [`${paths.discoveryModel}/model.json`, `${paths.discoveryModel}/weights.bin`];
  return {
    name: `base-${key.base}/discovery-model`,
    dir: paths.discoveryModel,
    config: { finetune: finetuneKey({ ...cfg.finetune, domains: [domain] }) },
    seeds: { baseSeed: key.base, discoverSeed: cfg.discover.seed },
    inputs: [
      paths.questions,
      paths.finetuneSet(domain),
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
    ],
    outputs,
    code: import.meta.url,
    run: async (stage) => {
      const examples = await loadFinetuneExamples(run, domain);
      const { params: base, config: model } = await loadCheckpoint(join(run.root, paths.pretrain));
      const steps = Math.ceil(examples.length / cfg.finetune.batchSize) * cfg.finetune.epochs;
      const progress = startProgress("discovery-model", steps);
      const { params } = await finetune({
        base,
        model,
        config: cfg.finetune,
        tokenizer: run.tokenizer,
        examples,
        seed: cfg.discover.seed,
        onStep: (step, l) => progress.update(step + 1, { loss: l.loss }),
        resume: finetuneResume(run.config, stage),
      });
      progress.stop();
      disposeParams(base);
      await saveCheckpoint(join(run.root, paths.discoveryModel), params, model, {
        stage: "discovery-model",
        domain,
      });
      disposeParams(params);
      return outputs;
    },
  };
}
