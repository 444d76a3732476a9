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
import { disposeParams, type ModelConfig } from "../models/model.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import { resumableOf } from "../runs/resume.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { pretrain } from "../training/pretrain.ts";
import { DEFAULT_PERSONA_MIX, worldKey } from "../world/documents.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";

/** The model shape of a run (vocabulary from its tokenizer). */
export function modelConfigOf(run: Run): ModelConfig {
  return { vocabSize: run.tokenizer.size, ...run.config.model };
}

/** The pretraining stage of a base seed. */
export function pretrainStage(run: Run, key: RunKey): StageSpec {
  const cfg = run.config;
  const paths = runPaths(run.profile, key);
  const curve = `${paths.pretrain}/loss.csv`;
  return {
    name: `base-${key.base}/pretrain`,
    dir: paths.pretrain,
    config: { model: cfg.model, pretrain: cfg.pretrain, world: worldKey(cfg.world) },
    seeds: { baseSeed: key.base },
    inputs: [paths.questions],
    outputs: [`${paths.pretrain}/model.json`, `${paths.pretrain}/weights.bin`, curve],
    code: import.meta.url,
    run: async (stage) => {
      const questions = await readJsonl<SplitQuestion>(join(run.root, paths.questions));
      const model = modelConfigOf(run);
      const progress = startProgress("pretrain", cfg.pretrain.steps);
      const start = performance.now();
      const { params, history, tokens } = await pretrain({
        model,
        config: cfg.pretrain,
        tokenizer: run.tokenizer,
        questions: questionsOf(questions, "pretrain"),
        seed: key.base,
        onStep: (step, l) => progress.update(step + 1, { loss: l.loss }),
        mix: { ...DEFAULT_PERSONA_MIX, ...cfg.world },
        resumable: resumableOf(cfg, stage),
      });
      progress.stop();
      // Useful tokens (documents, not padding) beside every position computed: what packing saves.
      const seconds = (performance.now() - start) / 1000;
      stage.log(
        `pretrain: ${tokens.useful} useful tokens of ${tokens.computed} computed (${
          (100 * tokens.useful / Math.max(1, tokens.computed)).toFixed(1)
        }%), ${Math.round(tokens.useful / seconds)} useful tok/s`,
      );
      await saveCheckpoint(join(run.root, paths.pretrain), params, model, {
        stage: "pretrain",
        baseSeed: key.base,
      });
      disposeParams(params);
      await writeFileAtomic(
        join(run.root, curve),
        toCsv(history.map((h, step) => ({ step, loss: h.loss.toFixed(6) })), ["step", "loss"]),
      );
      return [`${paths.pretrain}/model.json`, `${paths.pretrain}/weights.bin`, curve];
    },
  };
}
