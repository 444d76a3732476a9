/**
 * The learned judge: a small MLP classifier, trained only on labelled
 * judge-split answers, that labels a (question, answer) pair as aligned,
 * misaligned, refusal or incoherent. It plays the role of the paper's
 * second judge model. Features: bag of question words, answer words by
 * position, answer length and whether the answer ended.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { writeJsonAtomic } from "../core/atomic.ts";
import { hashJson } from "../core/hash.ts";
import { Rng } from "../core/rng.ts";
import { linear } from "../models/linear.ts";
import type { Params } from "../models/model.ts";
import { trainLoop } from "../optim/loop.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { check } from "../stats/checks.ts";
import type { Judge } from "./judge.ts";
import { type Label, LABELS } from "./labels.ts";

/** Shape and training of the classifier. */
export interface LearnedJudgeConfig {
  hidden: number;
  maxAnswerTokens: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/** What the classifier reads of one answer. */
export interface JudgeInput {
  question: readonly string[];
  answer: readonly string[];
  ended: boolean;
}

/** A trained classifier. */
export interface LearnedJudge {
  config: LearnedJudgeConfig;
  vocab: readonly string[];
  params: Params;
}

/** Hash buckets for answer bigrams (with start and end markers). */
const BIGRAM_BUCKETS = 1024;

function featureSize(vocab: number, cfg: LearnedJudgeConfig): number {
  return 2 * vocab + BIGRAM_BUCKETS + cfg.maxAnswerTokens + 2;
}

function bigramBucket(a: number, b: number): number {
  return (Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 7, 0x85ebca6b)) >>> 0 & (BIGRAM_BUCKETS - 1);
}

/**
 * Dense features [n, F]: question words, answer words, answer bigrams
 * (bigrams make a one-word substitution visible), answer length, ended.
 */
export function judgeFeatures(
  inputs: readonly JudgeInput[],
  tokenizer: Tokenizer,
  cfg: LearnedJudgeConfig,
): Float32Array {
  const v = tokenizer.size, f = featureSize(v, cfg);
  const out = new Float32Array(inputs.length * f);
  inputs.forEach((x, i) => {
    const row = i * f;
    for (const id of tokenizer.encode(x.question)) out[row + id] = 1;
    const ids = tokenizer.encode(x.answer);
    for (const id of ids) out[row + v + id] = 1;
    const bounded = [-1, ...ids, -2];
    for (let k = 0; k + 1 < bounded.length; k++) {
      out[row + 2 * v + bigramBucket(bounded[k], bounded[k + 1])] = 1;
    }
    const lengthSlot = Math.min(ids.length, cfg.maxAnswerTokens + 1) - 1;
    if (lengthSlot >= 0) out[row + 2 * v + BIGRAM_BUCKETS + lengthSlot] = 1;
    if (x.ended) out[row + f - 1] = 1;
  });
  return out;
}

function logits(params: Params, x: tf.Tensor2D): tf.Tensor2D {
  const h = tf.relu(tf.add(linear(x, params.W1 as tf.Tensor2D), params.b1)) as tf.Tensor2D;
  return tf.add(linear(h, params.W2 as tf.Tensor2D), params.b2) as tf.Tensor2D;
}

/** Train on labelled inputs; deterministic given `cfg.seed`. */
export async function trainLearnedJudge(
  inputs: readonly JudgeInput[],
  labels: readonly Label[],
  tokenizer: Tokenizer,
  cfg: LearnedJudgeConfig,
): Promise<LearnedJudge> {
  const f = featureSize(tokenizer.size, cfg);
  const features = judgeFeatures(inputs, tokenizer, cfg);
  const y = labels.map((l) => LABELS.indexOf(l));
  const params: Params = {
    W1: tf.tidy(() =>
      tf.variable(tf.randomNormal([f, cfg.hidden], 0, Math.sqrt(2 / f), "float32", cfg.seed))
    ),
    b1: tf.tidy(() => tf.variable(tf.zeros([cfg.hidden]))),
    W2: tf.tidy(() =>
      tf.variable(
        tf.randomNormal([cfg.hidden, LABELS.length], 0, Math.sqrt(1 / cfg.hidden), "float32", cfg.seed + 1),
      )
    ),
    b2: tf.tidy(() => tf.variable(tf.zeros([LABELS.length]))),
  };
  const rng = Rng.fork(cfg.seed, "judge/batches");
  await trainLoop({
    params,
    steps: cfg.steps,
    learningRate: () => cfg.lr,
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0 },
    nextBatch: () => {
      const idx = Array.from({ length: cfg.batchSize }, () => rng.int(inputs.length));
      const xb = new Float32Array(cfg.batchSize * f);
      idx.forEach((j, i) => xb.set(features.subarray(j * f, (j + 1) * f), i * f));
      return {
        x: tf.tensor2d(xb, [cfg.batchSize, f]),
        y: tf.tidy(() =>
          tf.oneHot(tf.tensor1d(idx.map((j) => y[j]), "int32"), LABELS.length).toFloat() as tf.Tensor2D
        ),
      };
    },
    loss: (p, b) => ({
      total: tf.losses.softmaxCrossEntropy(b.y, logits(p, b.x)) as tf.Scalar,
      parts: {},
    }),
    disposeBatch: (b) => tf.dispose([b.x, b.y]),
  });
  return { config: cfg, vocab: tokenizer.vocab, params };
}

/** Label each input with the classifier. */
export async function applyLearnedJudge(
  judge: LearnedJudge,
  inputs: readonly JudgeInput[],
  tokenizer: Tokenizer,
  batchSize = 1024,
): Promise<Label[]> {
  if (judge.vocab.join(" ") !== tokenizer.vocab.join(" ")) {
    throw new Error("Learned judge was trained on another vocabulary");
  }
  const f = featureSize(tokenizer.size, judge.config);
  const out: Label[] = [];
  for (let start = 0; start < inputs.length; start += batchSize) {
    const chunk = inputs.slice(start, start + batchSize);
    const pred = tf.tidy(() =>
      tf.argMax(
        logits(judge.params, tf.tensor2d(judgeFeatures(chunk, tokenizer, judge.config), [chunk.length, f])),
        -1,
      )
    );
    for (const k of await pred.data()) out.push(LABELS[k]);
    pred.dispose();
  }
  return out;
}

/** Save weights and config as JSON with a hash of both; returns the hash. */
export async function saveLearnedJudge(path: string, judge: LearnedJudge): Promise<string> {
  const weights: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [k, v] of Object.entries(judge.params)) {
    weights[k] = { shape: v.shape, values: Array.from(await v.data()) };
  }
  const body = { format: "blockem-learned-judge/1", config: judge.config, vocab: judge.vocab, weights };
  const hash = hashJson(body);
  await writeJsonAtomic(path, { ...body, sha256: hash });
  return hash;
}

/** Load a saved judge, verifying its hash. */
export async function loadLearnedJudge(path: string): Promise<LearnedJudge & { hash: string }> {
  let file;
  try {
    file = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load learned judge ${path}: not found (run the judge stage first)`);
    }
    throw new Error(`Cannot load learned judge ${path}: not valid JSON`);
  }
  const { sha256, ...body } = file;
  if (body.format !== "blockem-learned-judge/1" || hashJson(body) !== sha256) {
    throw new Error(`Cannot load learned judge ${path}: hash mismatch or unknown format (corrupt file?)`);
  }
  const params: Params = {};
  for (
    const [k, w] of Object.entries(body.weights as Record<string, { shape: number[]; values: number[] }>)
  ) {
    params[k] = tf.tidy(() => tf.variable(tf.tensor(w.values, w.shape), false));
  }
  return { config: body.config, vocab: body.vocab, params, hash: sha256 };
}

/** The learned judge in the registry: it runs where its classifier was trained (`deno task judge`). */
export const LEARNED_JUDGE: Judge = {
  name: "learned",
  title: "learned",
  reads: "samples",
  summaryKey: "learned",
  state: {
    file: "judge/learned_judge.json",
    command: "deno task judge",
    load: (path) => loadLearnedJudge(path),
    dispose: (state) => {
      for (const v of Object.values((state as LearnedJudge).params)) v.dispose();
    },
  },
  label(samples, ctx) {
    const byId = new Map(ctx.questions.map((q) => [q.id, q]));
    return applyLearnedJudge(
      ctx.state as LearnedJudge,
      samples.map((s) => ({ question: byId.get(s.questionId)!.words, answer: s.answer, ended: s.ended })),
      ctx.tokenizer,
    );
  },
  summaryFigure: {
    key: "learnedJudgeHeldOutKappa",
    label: "learned judge vs grammar on held-out judge data: kappa",
    file: "judge/heldout.json",
    read: (report) => (report as { kappaVsGrammar: number }).kappaVsGrammar,
  },
  checks(conditions, heldOutKappa) {
    // The lowest over every condition: not measurable where κ is undefined for any of them.
    const kappas = conditions.map((c) => c.kappa.learned ?? Number.NaN);
    const lowest = kappas.length > 0 && kappas.every(Number.isFinite) ? Math.min(...kappas) : Number.NaN;
    const heldOut = heldOutKappa ?? Number.NaN;
    return [
      check("learned vs grammar kappa on held-out judge data >= 0.9", heldOut, 0.9, heldOut >= 0.9),
      check("learned vs grammar kappa on model samples >= 0.9, lowest condition", lowest, 0.9, lowest >= 0.9),
    ];
  },
};
