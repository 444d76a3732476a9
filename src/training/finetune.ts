/**
 * Fine-tuning from a base model on single-turn examples, optionally with
 * the BLOCK-EM penalty against a frozen copy of the base.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import type { FeatureMap } from "../features/feature_map.ts";
import {
  cloneParams,
  forward,
  maskedNextTokenLoss,
  type ModelConfig,
  type Params,
} from "../model/transformer.ts";
import type { Sequence } from "../world/documents.ts";
import type { Tokenizer } from "../world/tokenizer.ts";
import { batchTensors, packBatch } from "./batches.ts";
import { type StepLoss, trainLoop } from "../optim/loop.ts";
import { signedHingePenalty } from "./penalty.ts";
import { cosineLr } from "../optim/schedule.ts";

/** Fine-tuning hyper-parameters. */
export interface FinetuneConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
}

/** The BLOCK-EM constraint: features to hold and the penalty weight λ. */
export interface BlockConstraint {
  features: FeatureMap;
  lambda: number;
}

/**
 * Fine-tune a copy of `base` on `examples` (shuffled each epoch with
 * `seed`). With `block`, adds λ · signed hinge on the features at their
 * site, against `base` on the same input.
 */
export async function finetune(
  base: Params,
  model: ModelConfig,
  cfg: FinetuneConfig,
  tokenizer: Tokenizer,
  examples: readonly Sequence[],
  seed: number,
  block?: BlockConstraint,
  onStep?: (step: number, losses: Record<string, number>) => void,
): Promise<{ params: Params; history: Record<string, number>[] }> {
  if (examples.length === 0) throw new RangeError("Fine-tuning needs at least one example");
  const params = cloneParams(base, true);
  const rng = Rng.fork(seed, "finetune/order");
  const perEpoch = Math.ceil(examples.length / cfg.batchSize);
  const steps = perEpoch * cfg.epochs;
  let order: Sequence[] = [];
  const seqLen = Math.max(...examples.map((e) => e.tokens.length));
  const signs = block ? tf.tensor1d(block.features.signs as number[]) : null;
  try {
    return {
      params,
      history: await trainLoop({
        params,
        steps,
        learningRate: (s) => cosineLr(s, steps, cfg.lr, cfg.warmupSteps),
        optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 1 },
        nextBatch: (step) => {
          const i = step % perEpoch;
          if (i === 0) order = rng.shuffle(examples);
          const b = batchTensors(
            packBatch(order.slice(i * cfg.batchSize, (i + 1) * cfg.batchSize), tokenizer, seqLen),
          );
          // The frozen base's feature strengths, computed outside the tape.
          const zBase = block
            ? tf.tidy(() => {
              const site = block.features.site;
              const h = forward(base, model, b.tokens, { cache: [site], stopAt: site }).cache.get(site)!;
              return block.features.encode(h.reshape([-1, model.dModel]) as tf.Tensor2D);
            })
            : null;
          return { ...b, zBase };
        },
        loss: (p, b): StepLoss => {
          const site = block?.features.site;
          const { logits, cache } = forward(p, model, b.tokens, { cache: site ? [site] : [] });
          const sft = maskedNextTokenLoss(logits!, b.tokens, b.lossMask);
          if (!block || !b.zBase || !site) return { total: sft, parts: { sft } };
          const h = cache.get(site)!.reshape([-1, model.dModel]) as tf.Tensor2D;
          const penalty = signedHingePenalty(
            block.features.encode(h),
            b.zBase,
            signs!,
            b.lossMask.reshape([-1]),
          );
          return { total: tf.add(sft, tf.mul(penalty, block.lambda)) as tf.Scalar, parts: { sft, penalty } };
        },
        disposeBatch: (b) => tf.dispose([b.tokens, b.lossMask, ...(b.zBase ? [b.zBase] : [])]),
        onStep,
      }),
    };
  } finally {
    signs?.dispose();
  }
}
