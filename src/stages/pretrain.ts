/**
 * Stage `pretrain`: the base model, trained on persona documents built from
 * the pretraining split only.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { startProgress } from "../core/progress.ts";
import { saveCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig } from "../models/organism/transformer.ts";
import { pretrain } from "../training/pretrain.ts";
import { DEFAULT_PERSONA_MIX } from "../world/documents.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { StageSpec } from "../runs/stage.ts";
import { resumableOf } from "../runs/resume.ts";

/** The model shape of a run (vocabulary from the world). */
export function modelConfigOf(cfg: RunConfig): ModelConfig {
  return { vocabSize: Tokenizer.forWorld().size, ...cfg.model };
}

/** The pretraining stage. */
export function pretrainStage(cfg: RunConfig, root: string, profile: string, key: RunKey): StageSpec {
  const paths = runPaths(profile, key);
  return {
    name: `base-${key.base}/pretrain`,
    dir: paths.pretrain,
    config: { model: cfg.model, pretrain: cfg.pretrain, world: cfg.world },
    seeds: { baseSeed: key.base },
    inputs: [paths.questions],
    code: import.meta.url,
    run: async (run) => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const model = modelConfigOf(cfg);
      const progress = startProgress("pretrain", cfg.pretrain.steps);
      const { params, history } = await pretrain(
        model,
        cfg.pretrain,
        Tokenizer.forWorld(),
        questionsOf(questions, "pretrain"),
        key.base,
        (step, l) => progress.update(step + 1, { loss: l.loss }),
        { ...DEFAULT_PERSONA_MIX, ...cfg.world },
        resumableOf(cfg, run),
      );
      progress.stop();
      await saveCheckpoint(join(root, paths.pretrain), params, model, {
        stage: "pretrain",
        baseSeed: key.base,
      });
      disposeParams(params);
      const curve = `${paths.pretrain}/loss.csv`;
      await writeFileAtomic(
        join(root, curve),
        toCsv(history.map((h, step) => ({ step, loss: h.loss.toFixed(6) })), ["step", "loss"]),
      );
      return [`${paths.pretrain}/model.json`, `${paths.pretrain}/weights.bin`, curve];
    },
  };
}
