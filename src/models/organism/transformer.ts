/**
 * A small decoder-only transformer (pre-LayerNorm, GELU MLP, learned
 * positions) with named activation sites in the manner of TransformerLens:
 * `hook_embed`, `blocks.{L}.resid_pre`, `blocks.{L}.attn_out`,
 * `blocks.{L}.resid_mid`, `blocks.{L}.mlp_out`, `blocks.{L}.resid_post`,
 * `ln_final`. A forward pass returns logits plus the sites it was asked to
 * cache, and applies interventions at sites; there is no global hook state.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { affine, linear } from "../linear.ts";
import { applyInterventions, type Intervention } from "../interventions.ts";
import { FUSED, fusedKernelsActive, GELU_A, GELU_C } from "../../backend/fused.ts";

/** Shape of the model. */
export interface ModelConfig {
  vocabSize: number;
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dMlp: number;
}

/** Named weights of a model. Keys are stable and used by checkpoints. */
export type Params = Record<string, tf.Variable>;

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Sites whose activations to return, shaped [batch, seq, dModel]. */
  cache?: readonly string[];
  /** Edits applied at sites, in order. */
  interventions?: readonly Intervention[];
  /** Stop after this site and return no logits (saves work for probes). */
  stopAt?: string;
}

/** Result of a forward pass; caller disposes the tensors. */
export interface ForwardResult {
  /** [batch, seq, vocab], absent when `stopAt` was given. */
  logits: tf.Tensor3D | null;
  cache: Map<string, tf.Tensor3D>;
}

/** Every site name of a model, in forward order. */
export function siteNames(cfg: ModelConfig): string[] {
  const names = ["hook_embed"];
  for (let l = 0; l < cfg.nLayers; l++) {
    names.push(
      `blocks.${l}.resid_pre`,
      `blocks.${l}.attn_out`,
      `blocks.${l}.resid_mid`,
      `blocks.${l}.mlp_out`,
      `blocks.${l}.resid_post`,
    );
  }
  names.push("ln_final");
  return names;
}

/** Check a site name exists in this model, with a clear error. */
export function assertSite(cfg: ModelConfig, site: string): void {
  if (!siteNames(cfg).includes(site)) {
    throw new RangeError(
      `Unknown site '${site}' for a ${cfg.nLayers}-layer model (e.g. blocks.0.resid_post)`,
    );
  }
}

/** The shape of every parameter, by name. */
export function paramShapes(cfg: ModelConfig): Record<string, number[]> {
  const { vocabSize: v, contextLength: t, dModel: d, dMlp: m } = cfg;
  const shapes: Record<string, number[]> = {
    "embed.W_E": [v, d],
    "pos.W_pos": [t, d],
  };
  for (let l = 0; l < cfg.nLayers; l++) {
    const p = `blocks.${l}`;
    Object.assign(shapes, {
      [`${p}.ln1.w`]: [d],
      [`${p}.ln1.b`]: [d],
      [`${p}.attn.W_QKV`]: [d, 3 * d],
      [`${p}.attn.b_QKV`]: [3 * d],
      [`${p}.attn.W_O`]: [d, d],
      [`${p}.attn.b_O`]: [d],
      [`${p}.ln2.w`]: [d],
      [`${p}.ln2.b`]: [d],
      [`${p}.mlp.W_in`]: [d, m],
      [`${p}.mlp.b_in`]: [m],
      [`${p}.mlp.W_out`]: [m, d],
      [`${p}.mlp.b_out`]: [d],
    });
  }
  shapes["ln_final.w"] = [d];
  shapes["ln_final.b"] = [d];
  shapes["unembed.W_U"] = [d, v];
  return shapes;
}

/** Validate a model config, naming the bad field. */
export function validateModelConfig(cfg: ModelConfig): void {
  for (const k of ["vocabSize", "contextLength", "dModel", "nLayers", "nHeads", "dMlp"] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0) {
      throw new RangeError(`Model config '${k}' must be a positive integer, got ${cfg[k]}`);
    }
  }
  if (cfg.dModel % cfg.nHeads !== 0) {
    throw new RangeError(
      `Model config 'dModel' (${cfg.dModel}) must be divisible by 'nHeads' (${cfg.nHeads})`,
    );
  }
}

/**
 * Fresh weights: normal(0, 0.02) matrices (output projections scaled by
 * 1/sqrt(2·layers), as GPT-2), unit LayerNorm gains, zero biases.
 */
export function initParams(cfg: ModelConfig, seed: number): Params {
  validateModelConfig(cfg);
  const params: Params = {};
  let i = 0;
  for (const [name, shape] of Object.entries(paramShapes(cfg))) {
    i++;
    const init = tf.tidy(() => {
      if (name.endsWith(".w")) return tf.ones(shape);
      if (shape.length === 1) return tf.zeros(shape);
      const std = /W_O|W_out/.test(name) ? 0.02 / Math.sqrt(2 * cfg.nLayers) : 0.02;
      return tf.randomNormal(shape, 0, std, "float32", seed * 1000 + i);
    });
    params[name] = tf.variable(init, true);
    init.dispose();
  }
  return params;
}

/** Deep copy of params as new variables (e.g. a trainable copy of the base). */
export function cloneParams(params: Params, trainable = true): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) out[k] = tf.variable(v, trainable);
  return out;
}

/** Dispose every variable of a param set. */
export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

/** Number of scalar weights. */
export function countParams(cfg: ModelConfig): number {
  return Object.values(paramShapes(cfg)).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
}

function layerNorm(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  if (fusedKernelsActive()) return fusedLayerNorm(x, w as tf.Tensor1D, b as tf.Tensor1D);
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, LN_EPS))), w), b) as tf.Tensor2D;
}

const LN_EPS = 1e-5;

/** LayerNorm as one wasm kernel each way (same function as the op-by-op form above). */
const fusedLayerNorm = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, xhat, rstd] = tf.engine().runKernel(FUSED.layerNorm, { x, w, b }, {
      eps: LN_EPS,
    }) as tf.Tensor[];
    save([xhat, rstd, w]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, ws] = saved;
        return tf.engine().runKernel(FUSED.layerNormGrad, { dy, xhat: xh, rstd: rs, w: ws }) as tf.Tensor[];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * GELU, tanh approximation, written as x·σ(u) with u = 2√(2/π)(x + 0.044715x³):
 * the same function as 0.5x(1 + tanh(u/2)), since 1 + tanh(z) = 2σ(2z). σ is
 * ≈7× faster than tanh on wasm, and x·x² avoids the slow pow(3).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedKernelsActive()) return fusedGelu(x);
  return tf.mul(x, tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_A * GELU_C), GELU_C))));
}

/** GELU with u computed and the gradient taken by wasm kernels, σ by XNNPACK. */
const fusedGelu = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const s = tf.sigmoid(tf.engine().runKernel(FUSED.geluArgument, { x }) as tf.Tensor);
    save([x, s]);
    return {
      value: tf.mul(x, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(FUSED.geluGrad, { x: saved[0], s: saved[1], dy }) as tf.Tensor,
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;

/** Softmax over the last axis; on wasm its gradient is one kernel instead of four ops. */
function softmax(x: tf.Tensor): tf.Tensor {
  return fusedKernelsActive() ? fusedSoftmax(x) : tf.softmax(x);
}

const fusedSoftmax = tf.customGrad(
  ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.softmax(x);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(FUSED.softmaxGrad, { y: saved[0], dy }) as tf.Tensor,
      ],
    };
  }) as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;

/** Causal additive mask [seq, seq]: 0 on and below the diagonal, -1e9 above. */
function causalMask(seq: number): tf.Tensor2D {
  // Built once per length in plain JS: bandPart takes a dozen small ops per forward pass.
  let values = maskValues.get(seq);
  if (!values) {
    values = new Float32Array(seq * seq);
    for (let i = 0; i < seq; i++) values.fill(-1e9, i * seq + i + 1, (i + 1) * seq);
    maskValues.set(seq, values);
  }
  return tf.tensor2d(values, [seq, seq]);
}

const maskValues = new Map<number, Float32Array>();

/**
 * Run the model on int32 tokens [batch, seq]. Call inside `tf.tidy` (or
 * dispose the result): every returned tensor belongs to the caller.
 */
export function forward(
  params: Params,
  cfg: ModelConfig,
  tokens: tf.Tensor2D,
  opts: ForwardOptions = {},
): ForwardResult {
  const [batch, seq] = tokens.shape;
  if (seq > cfg.contextLength) {
    throw new RangeError(`Sequence length ${seq} exceeds context length ${cfg.contextLength}`);
  }
  const d = cfg.dModel, h = cfg.nHeads, dh = d / h, n = batch * seq;
  const cache = new Map<string, tf.Tensor3D>();
  const interventions = opts.interventions ?? [];
  let stopped = false;
  // Activations flow as [batch*seq, d]; sites see and return [batch, seq, d].
  const site = (name: string, x: tf.Tensor2D): tf.Tensor2D => {
    let y = x;
    const here = interventions.filter((iv) => iv.site === name);
    if (here.length > 0) {
      y = applyInterventions(x.reshape([batch, seq, d]), here).reshape([n, d]);
    }
    if (opts.cache?.includes(name)) cache.set(name, y.reshape([batch, seq, d]));
    if (opts.stopAt === name) stopped = true;
    return y;
  };

  const pos = params["pos.W_pos"].slice([0, 0], [seq, d]);
  let x = tf.add(embed(params["embed.W_E"] as tf.Tensor2D, tokens.reshape([n])).reshape([batch, seq, d]), pos)
    .reshape([n, d]) as tf.Tensor2D;
  x = site("hook_embed", x);
  if (stopped) return { logits: null, cache };
  const mask = causalMask(seq);

  for (let l = 0; l < cfg.nLayers; l++) {
    const p = (k: string) => params[`blocks.${l}.${k}`];
    x = site(`blocks.${l}.resid_pre`, x);
    if (stopped) return { logits: null, cache };

    const ln1 = layerNorm(x, p("ln1.w"), p("ln1.b"));
    const qkv = affine(ln1, p("attn.W_QKV") as tf.Tensor2D, p("attn.b_QKV") as tf.Tensor1D);
    const heads = (t: tf.Tensor) =>
      t.reshape([batch, seq, h, dh]).transpose([0, 2, 1, 3]).reshape([batch * h, seq, dh]) as tf.Tensor3D;
    const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
    // The 1/√d_head scale goes on q, a quarter the size of the scores at d_head 16.
    const scores = tf.add(tf.matMul(tf.mul(q, 1 / Math.sqrt(dh)), k, false, true), mask);
    const attn = tf.matMul(softmax(scores), v)
      .reshape([batch, h, seq, dh]).transpose([0, 2, 1, 3]).reshape([n, d]) as tf.Tensor2D;
    const attnOut = site(
      `blocks.${l}.attn_out`,
      affine(attn, p("attn.W_O") as tf.Tensor2D, p("attn.b_O") as tf.Tensor1D),
    );
    if (stopped) return { logits: null, cache };
    x = site(`blocks.${l}.resid_mid`, tf.add(x, attnOut) as tf.Tensor2D);
    if (stopped) return { logits: null, cache };

    const ln2 = layerNorm(x, p("ln2.w"), p("ln2.b"));
    const hidden = gelu(affine(ln2, p("mlp.W_in") as tf.Tensor2D, p("mlp.b_in") as tf.Tensor1D));
    const mlpOut = site(
      `blocks.${l}.mlp_out`,
      affine(hidden as tf.Tensor2D, p("mlp.W_out") as tf.Tensor2D, p("mlp.b_out") as tf.Tensor1D),
    );
    if (stopped) return { logits: null, cache };
    x = site(`blocks.${l}.resid_post`, tf.add(x, mlpOut) as tf.Tensor2D);
    if (stopped) return { logits: null, cache };
  }
  x = site("ln_final", layerNorm(x, params["ln_final.w"], params["ln_final.b"]));
  if (stopped) return { logits: null, cache };
  const logits = linear(x, params["unembed.W_U"] as tf.Tensor2D).reshape([
    batch,
    seq,
    cfg.vocabSize,
  ]) as tf.Tensor3D;
  return { logits, cache };
}

/**
 * Rows of the embedding matrix for int32 ids [n]. A gather where blockem's
 * wasm kernels give its gradient (a segment sum); elsewhere a one-hot matmul.
 * tfjs-wasm has no segment sum, tfjs-cpu's took 5 s of a 9 s step, and
 * tfjs-webgpu's left rows no id touched as garbage (NaN weights after a few
 * AdamW steps; `optim/webgpu_training_test.ts` catches it).
 */
function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  if (fusedKernelsActive()) return tf.gather(table, ids);
  return linear(tf.oneHot(ids, table.shape[0]).toFloat() as tf.Tensor2D, table);
}

/**
 * Σ_i weights[i] · −log softmax(logits[i])[targets[i]] for logits [n, v],
 * int32 targets [n] and weights [n]. The gradient is written out,
 * (softmax − onehot) · weight, instead of differentiating log-softmax op by
 * op; the log-normaliser is max(z) − log max(softmax(z)), which needs no exp
 * beyond the softmax and cannot underflow (max softmax ≥ 1/v).
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const v = logits.shape[1];
  const f = tf.customGrad(
    ((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
      const probs = tf.softmax(z);
      const oneHot = tf.oneHot(targets, v).toFloat();
      // Everything the gradient reads goes through save: tensors captured by
      // the closure are disposed when the forward pass's scope ends.
      save([probs, oneHot, weights]);
      const logNormaliser = tf.sub(tf.max(z, -1), tf.log(tf.max(probs, -1)));
      const nll = tf.sub(logNormaliser, tf.sum(tf.mul(z, oneHot), -1));
      return {
        value: tf.sum(tf.mul(nll, weights)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [probs, oneHot, w] = saved;
          return [tf.mul(tf.sub(probs, oneHot), tf.mul(w, dy).reshape([-1, 1]))];
        },
      };
    }) as Parameters<typeof tf.customGrad>[0],
  );
  return f(logits) as tf.Scalar;
}

/**
 * Mean next-token cross-entropy over positions where `lossMask` is 1.
 * tokens and lossMask are [batch, seq]; lossMask[:, i] scores tokens[:, i+1].
 * Every position is scored against its next token (the last against a
 * placeholder with weight 0), so the logits are never sliced.
 */
export function maskedNextTokenLoss(
  logits: tf.Tensor3D,
  tokens: tf.Tensor2D,
  lossMask: tf.Tensor2D,
): tf.Scalar {
  const [batch, seq, v] = logits.shape;
  const last = tf.zeros([batch, 1], "int32");
  const targets = tf.concat([tokens.slice([0, 1], [batch, seq - 1]), last], 1).reshape([
    batch * seq,
  ]) as tf.Tensor1D;
  const weights = tf.concat([lossMask.slice([0, 0], [batch, seq - 1]), tf.zeros([batch, 1])], 1)
    .reshape([batch * seq]) as tf.Tensor1D;
  const total = weightedCrossEntropy(logits.reshape([batch * seq, v]), targets, weights);
  return tf.div(total, tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
}
