/**
 * Stage `discovery-model`: the paper's discovery model, a naive fine-tune
 * of the base on the discovery domain with its own seed. Discovery diffs it
 * against the base; the evaluated models are trained separately.
 * @module
 */
import { join } from "node:path";
import { startProgress } from "../core/progress.ts";
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { disposeParams } from "../models/organism/transformer.ts";
import { loadFinetuneExamples, trainCondition } from "./finetune.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { StageSpec } from "../runs/stage.ts";
import { resumableOf } from "../runs/resume.ts";

/** The discovery-model stage of a base seed. */
export function discoveryModelStage(cfg: RunConfig, root: string, profile: string, key: RunKey): StageSpec {
  const paths = runPaths(profile, key);
  const domain = cfg.discover.domain;
  return {
    name: `base-${key.base}/discovery-model`,
    dir: paths.discoveryModel,
    config: { finetune: { ...cfg.finetune, domains: [domain] } },
    seeds: { baseSeed: key.base, discoverSeed: cfg.discover.seed },
    inputs: [
      paths.questions,
      paths.finetuneSet(domain),
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
    ],
    code: import.meta.url,
    run: async (run) => {
      const examples = await loadFinetuneExamples(root, profile, domain);
      const { params: base, config: model } = await loadCheckpoint(join(root, paths.pretrain));
      const steps = Math.ceil(examples.length / cfg.finetune.batchSize) * cfg.finetune.epochs;
      const progress = startProgress("discovery-model", steps);
      const { params } = await trainCondition(
        base,
        model,
        cfg,
        examples,
        cfg.discover.seed,
        null,
        0,
        (step, l) => progress.update(step + 1, { loss: l.loss }),
        resumableOf(cfg, run),
      );
      progress.stop();
      disposeParams(base);
      await saveCheckpoint(join(root, paths.discoveryModel), params, model, {
        stage: "discovery-model",
        domain,
      });
      disposeParams(params);
      return [`${paths.discoveryModel}/model.json`, `${paths.discoveryModel}/weights.bin`];
    },
  };
}
