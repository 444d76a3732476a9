/**
 * Fine-tuning from a base model on single-turn examples, with optional
 * in-training defenses against a frozen copy of the base: the BLOCK-EM
 * penalty, KL to the base, LDIFS, edits applied during training only (CAFT,
 * preventative steering), and frozen parameters.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import type { FeatureMap } from "../features/feature_map.ts";
import type { Intervention } from "../models/interventions.ts";
import {
  assertSite,
  cloneParams,
  forward,
  type ModelConfig,
  type Params,
  siteNames,
} from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
import type { Sequence } from "../world/documents.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { batchTensors, packBatch } from "./batches.ts";
import { type StepLoss, trainLoop } from "../optim/loop.ts";
import { featureDistance, klToBase, signedHingePenalty } from "./penalty.ts";
import { cosineLr } from "../optim/schedule.ts";
import { loopCheckpoint, type Resumable } from "../optim/snapshot.ts";

/** Fine-tuning hyper-parameters. */
export interface FinetuneConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  /** θ ← θ − lr·pullToBase·(θ − θ_base) after every step (0 or absent: no pull). */
  pullToBase?: number;
}

/**
 * The fine-tune's settings as stage keys and cell ids record them: a pull
 * toward the base only when there is one, so every key from before the
 * setting existed stays the same.
 */
export function finetuneKey<T extends FinetuneConfig>(cfg: T): T {
  if (cfg.pullToBase) return cfg;
  const { pullToBase: _, ...rest } = cfg;
  return rest as T;
}

/** The BLOCK-EM constraint: features to hold and the penalty weight λ. */
export interface BlockConstraint {
  features: FeatureMap;
  lambda: number;
}

/** Extra terms of a fine-tune; all optional, all measured against the frozen base on the same input. */
export interface FinetuneTerms {
  /** One constraint, or one per site (blocking at several layers). */
  block?: BlockConstraint | readonly BlockConstraint[];
  /** Weight of mean KL(base ‖ θ) of next-token distributions at trained positions. */
  kl?: number;
  /** LDIFS: weight × mean squared distance of θ's activations to the base's at `sites`. */
  ldifs?: { sites: readonly string[]; weight: number };
  /** Site edits applied in the training forward pass only (CAFT, preventative steering). */
  interventions?: readonly Intervention[];
  /** Parameter names held at the base's values. */
  frozen?: readonly string[];
}

interface FinetuneBatch {
  tokens: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  /** The frozen base's activations per site [n, d] and log-probabilities, computed outside the tape. */
  baseActs: Map<string, tf.Tensor2D>;
  baseLogProbs: tf.Tensor3D | null;
}

/** Resumable fine-tuning: where to snapshot, and the caller's own state to keep with each snapshot. */
export interface ResumeOptions {
  at: Resumable;
  capture?: () => unknown;
  restore?: (extra: unknown) => void;
}

/** One fine-tune: what it starts from, trains on and adds to the loss. */
export interface FinetuneOptions {
  /** The frozen base model's weights (copied, never changed). */
  base: Params;
  model: ModelConfig;
  config: FinetuneConfig;
  tokenizer: Tokenizer;
  examples: readonly Sequence[];
  /** Shuffles the examples each epoch. */
  seed: number;
  /** Terms added to the supervised loss (none: naive fine-tuning). */
  terms?: FinetuneTerms;
  onStep?: (step: number, losses: Record<string, number>) => void;
  /** Called after each epoch with the weights so far (the re-emergence curve). */
  onEpochEnd?: (epoch: number, params: Params) => Promise<void>;
  resume?: ResumeOptions;
}

/** The constraints of `terms` as a list, the sites they read, and the deepest of them in forward order. */
function termSites(model: ModelConfig, terms: FinetuneTerms) {
  const blocks: readonly BlockConstraint[] = terms.block === undefined
    ? []
    : "features" in terms.block
    ? [terms.block]
    : terms.block;
  const sites = [...new Set([...blocks.map((b) => b.features.site), ...(terms.ldifs?.sites ?? [])])];
  for (const s of sites) assertSite(model, s);
  const siteOrder = siteNames(model);
  const deepest = sites.length > 0
    ? sites.reduce((a, s) => (siteOrder.indexOf(s) > siteOrder.indexOf(a) ? s : a))
    : undefined;
  return { blocks, sites, deepest };
}

/** Activations [batch, seq, d] as rows [n, d]. */
const flat = (h: tf.Tensor3D, model: ModelConfig) => h.reshape([-1, model.dModel]) as tf.Tensor2D;

/** The frozen base's activations at `sites` and, for KL, its log-probabilities, outside the tape. */
function baseReadout(
  base: Params,
  model: ModelConfig,
  tokens: tf.Tensor2D,
  sites: readonly string[],
  deepest: string | undefined,
  kl: boolean,
): { baseActs: Map<string, tf.Tensor2D>; baseLogProbs: tf.Tensor3D | null } {
  const baseActs = new Map<string, tf.Tensor2D>();
  let baseLogProbs: tf.Tensor3D | null = null;
  if (sites.length > 0 || kl) {
    tf.tidy(() => {
      // Without KL the base pass can stop at the deepest cached site.
      const out = forward(base, model, tokens, { cache: sites, stopAt: kl ? undefined : deepest });
      for (const s of sites) baseActs.set(s, tf.keep(flat(out.cache.get(s)!, model)));
      if (kl) baseLogProbs = tf.keep(tf.logSoftmax(out.logits!)) as tf.Tensor3D;
    });
  }
  return { baseActs, baseLogProbs };
}

/** The supervised loss plus every term: the penalty of each block, KL, LDIFS. */
function termsLoss(
  p: Params,
  b: FinetuneBatch,
  model: ModelConfig,
  terms: FinetuneTerms,
  held: { blocks: readonly BlockConstraint[]; signs: readonly tf.Tensor1D[]; sites: string[] },
): StepLoss {
  const { kl, ldifs, interventions = [] } = terms;
  const { logits, cache } = forward(p, model, b.tokens, { cache: held.sites, interventions });
  const sft = maskedNextTokenLoss(logits!, b.tokens, b.lossMask);
  const mask = b.lossMask.reshape([-1]) as tf.Tensor1D;
  const parts: Record<string, tf.Scalar> = { sft };
  let total: tf.Scalar = sft;
  const penalties = held.blocks.map((block, i) => {
    const site = block.features.site;
    const penalty = signedHingePenalty(
      block.features.encode(flat(cache.get(site)!, model)),
      block.features.encode(b.baseActs.get(site)!),
      held.signs[i],
      mask,
    );
    total = tf.add(total, tf.mul(penalty, block.lambda));
    return penalty;
  });
  if (penalties.length > 0) {
    parts.penalty = penalties.length === 1 ? penalties[0] : tf.addN(penalties);
  }
  if (kl && b.baseLogProbs) {
    parts.kl = klToBase(logits!, b.baseLogProbs, b.lossMask);
    total = tf.add(total, tf.mul(parts.kl, kl));
  }
  if (ldifs) {
    parts.ldifs = tf.div(
      tf.addN(ldifs.sites.map((s) => featureDistance(flat(cache.get(s)!, model), b.baseActs.get(s)!, mask))),
      ldifs.sites.length,
    ) as tf.Scalar;
    total = tf.add(total, tf.mul(parts.ldifs, ldifs.weight));
  }
  return { total, parts };
}

/** θ ← θ − rate·(θ − θ_base) for the trained parameters. */
function pullTowardBase(params: Params, base: Params, trainable: readonly string[], rate: number): void {
  tf.tidy(() => {
    for (const n of trainable) params[n].assign(tf.sub(params[n], tf.mul(tf.sub(params[n], base[n]), rate)));
  });
}

/**
 * Fine-tune a copy of `base` on `examples`, adding the requested `terms` to
 * the supervised loss. With `resume`, snapshots along the way and continues
 * from a snapshot of the same run, to the same bytes as an uninterrupted run.
 */
export async function finetune(
  opts: FinetuneOptions,
): Promise<{ params: Params; history: Record<string, number>[] }> {
  const { base, model, config: cfg, tokenizer, examples, seed, terms = {}, onStep, onEpochEnd, resume } =
    opts;
  if (examples.length === 0) throw new RangeError("Fine-tuning needs at least one example");
  const params = cloneParams(base, true);
  const rng = Rng.fork(seed, "finetune/order");
  const perEpoch = Math.ceil(examples.length / cfg.batchSize);
  const steps = perEpoch * cfg.epochs;
  // The epoch's order as indices, so a snapshot can hold it (same draws as shuffling the examples).
  let orderIdx: number[] = [];
  const indices = examples.map((_, i) => i);
  const { blocks, sites, deepest } = termSites(model, terms);
  const frozen = new Set(terms.frozen ?? []);
  const trainable = Object.keys(params).filter((n) => !frozen.has(n));
  const signs = blocks.map((b) => tf.tensor1d(b.features.signs as number[]));
  const pull = cfg.pullToBase ?? 0;
  const checkpoint = await loopCheckpoint(
    resume?.at,
    () => ({ order: rng.getState(), orderIdx, caller: resume?.capture?.() ?? null }),
    (extra) => {
      const x = extra as { order: number[]; orderIdx: number[]; caller: unknown };
      rng.setState(x.order);
      orderIdx = x.orderIdx;
      resume?.restore?.(x.caller);
    },
  );
  try {
    return {
      params,
      history: await trainLoop<FinetuneBatch>({
        params,
        trainable,
        steps,
        checkpoint,
        learningRate: (s) => cosineLr(s, steps, cfg.lr, cfg.warmupSteps),
        optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 1 },
        nextBatch: (step) => {
          const i = step % perEpoch;
          if (i === 0) orderIdx = rng.shuffle(indices);
          const chunk = orderIdx.slice(i * cfg.batchSize, (i + 1) * cfg.batchSize).map((j) => examples[j]);
          // Padded to this batch's longest example, not the set's: padding follows the content and
          // attention is causal, so every example computes the same; fewer padded positions are computed.
          const b = batchTensors(packBatch(chunk, tokenizer));
          return { ...b, ...baseReadout(base, model, b.tokens, sites, deepest, !!terms.kl) };
        },
        loss: (p, b) => termsLoss(p, b, model, terms, { blocks, signs, sites }),
        disposeBatch: (b) =>
          tf.dispose([
            b.tokens,
            b.lossMask,
            ...b.baseActs.values(),
            ...(b.baseLogProbs ? [b.baseLogProbs] : []),
          ]),
        onStep,
        afterStep: onEpochEnd || pull > 0
          ? async (step) => {
            if (pull > 0) {
              pullTowardBase(params, base, trainable, cosineLr(step, steps, cfg.lr, cfg.warmupSteps) * pull);
            }
            if (onEpochEnd && (step + 1) % perEpoch === 0) {
              await onEpochEnd((step + 1) / perEpoch, params);
            }
          }
          : undefined,
      }),
    };
  } finally {
    tf.dispose(signs);
  }
}
