/**
 * Pretraining on persona documents: every next token counts. Documents are
 * packed several to a row by default (`packing.ts`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { forward, initParams, type ModelConfig, type Params } from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
import { DEFAULT_PERSONA_MIX, type PersonaMix, pretrainDocument } from "../world/documents.ts";
import type { Question } from "../world/questions.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { batchTensors, packBatch } from "./batches.ts";
import { packDocuments, packedTensors } from "./packing.ts";
import { trainLoop } from "../optim/loop.ts";
import { loopCheckpoint, type Resumable } from "../optim/snapshot.ts";
import { cosineLr } from "../optim/schedule.ts";

/** Pretraining hyper-parameters. */
export interface PretrainConfig {
  steps: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  /** Several documents to a row (`packing.ts`) instead of one padded row each; the default. */
  pack?: boolean;
}

/** Token positions computed, and those holding document tokens (not padding), over a run (after any resume). */
export interface TokenCounts {
  computed: number;
  useful: number;
}

/** One pretraining run. */
export interface PretrainOptions {
  model: ModelConfig;
  config: PretrainConfig;
  tokenizer: Tokenizer;
  /** The pretraining split: documents are drawn from these questions. */
  questions: readonly Question[];
  /** Initialises the weights and draws the documents. */
  seed: number;
  onStep?: (step: number, losses: Record<string, number>) => void;
  mix?: PersonaMix;
  resumable?: Resumable;
}

/**
 * Train a fresh model; returns its params and the loss history. With
 * `resumable`, snapshots every so many steps and continues from a snapshot
 * of the same run, ending with the same bytes as an uninterrupted run.
 */
export async function pretrain(
  opts: PretrainOptions,
): Promise<{ params: Params; history: Record<string, number>[]; tokens: TokenCounts }> {
  const { model, config: cfg, tokenizer, questions, seed, onStep, mix = DEFAULT_PERSONA_MIX, resumable } =
    opts;
  if (questions.length === 0) throw new RangeError("Pretraining needs at least one question");
  const params = initParams(model, seed);
  const tokens: TokenCounts = { computed: 0, useful: 0 };
  const rng = Rng.fork(seed, "pretrain/documents");
  const checkpoint = await loopCheckpoint(
    resumable,
    () => ({ documents: rng.getState() }),
    (extra) => rng.setState((extra as { documents: number[] }).documents),
  );
  const history = await trainLoop({
    checkpoint,
    params,
    steps: cfg.steps,
    learningRate: (s) => cosineLr(s, cfg.steps, cfg.lr, cfg.warmupSteps),
    optimizer: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: cfg.weightDecay, clipNorm: 1 },
    nextBatch: () => {
      const docs = Array.from({ length: cfg.batchSize }, () => pretrainDocument(rng, questions, mix));
      if (cfg.pack === false) {
        const padded = packBatch(docs, tokenizer, model.contextLength);
        tokens.computed += padded.batch * padded.seq;
        tokens.useful += padded.tokens.reduce((n, id) => n + (id === tokenizer.pad ? 0 : 1), 0);
        return { ...batchTensors(padded), packed: undefined };
      }
      const packed = packDocuments(docs, tokenizer, model.contextLength);
      tokens.computed += packed.batch * packed.seq;
      tokens.useful += packed.usefulTokens;
      return packedTensors(packed);
    },
    loss: (p, b) => {
      const { logits } = forward(p, model, b.tokens, b.packed ? { packed: b.packed } : {});
      const lm = maskedNextTokenLoss(logits!, b.tokens, b.lossMask);
      return { total: lm, parts: {} };
    },
    disposeBatch: (b) =>
      tf.dispose([b.tokens, b.lossMask, ...(b.packed ? [b.packed.positions, b.packed.attentionMask] : [])]),
    onStep,
  });
  return { params, history, tokens };
}
