/**
 * One method's fine-tune from a base seed's model, as the pipeline's
 * conditions and the experiment cells run it: the base loaded, the method
 * set up, its examples asked under its persona, trained; the base and
 * whatever the method held freed whatever happens.
 * @module
 */
import { join } from "node:path";
import { startProgress } from "../core/progress.ts";
import type { Method, MethodParams } from "../methods/method.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/model.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import { finetune, type FinetuneConfig, type ResumeOptions } from "../training/finetune.ts";
import { loadFinetuneExamples } from "./examples.ts";

/** How a method's fine-tune runs. */
export interface TrainMethodOptions {
  /** The fine-tuning schedule (the profile's, or a prolonged one). */
  config: FinetuneConfig;
  /** The fine-tuning seed: the data order. */
  seed: number;
  /** The progress line's label. */
  label: string;
  onEpochEnd?: (epoch: number, params: Params, model: ModelConfig) => Promise<void>;
  resume?: ResumeOptions;
}

/** What a method's fine-tune gives: the trained weights (caller disposes), the loss history, the method's record. */
export interface TrainedMethod {
  params: Params;
  model: ModelConfig;
  history: Record<string, number>[];
  record: Record<string, unknown>;
}

/** Fine-tune the base of `key` on `domain` with `method` at `params`. */
export async function trainMethod(
  run: Run,
  key: RunKey,
  domain: string,
  method: Method,
  params: MethodParams,
  opts: TrainMethodOptions,
): Promise<TrainedMethod> {
  const { params: base, config: model } = await loadCheckpoint(
    join(run.root, runPaths(run.profile, key).pretrain),
  );
  try {
    const setup = await method.setup({ run, key, model }, params);
    try {
      const examples = await loadFinetuneExamples(run, domain, setup.persona);
      const progress = startProgress(
        opts.label,
        Math.ceil(examples.length / opts.config.batchSize) * opts.config.epochs,
      );
      const onEpochEnd = opts.onEpochEnd;
      const trained = await finetune({
        base,
        model,
        config: opts.config,
        tokenizer: run.tokenizer,
        examples,
        seed: opts.seed,
        terms: setup.terms,
        onStep: (step, l) => progress.update(step + 1, { loss: l.loss }),
        onEpochEnd: onEpochEnd ? (epoch, p) => onEpochEnd(epoch, p, model) : undefined,
        resume: opts.resume,
      });
      progress.stop();
      return { ...trained, model, record: setup.record };
    } finally {
      setup.dispose();
    }
  } finally {
    disposeParams(base);
  }
}
