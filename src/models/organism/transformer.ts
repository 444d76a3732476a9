/**
 * The organism: a small decoder-only transformer (pre-LayerNorm, GELU MLP,
 * learned positions) with named activation sites in the manner of
 * TransformerLens: `hook_embed`, `blocks.{L}.resid_pre`,
 * `blocks.{L}.attn_out`, `blocks.{L}.resid_mid`, `blocks.{L}.mlp_out`,
 * `blocks.{L}.resid_post`, `ln_final`. A forward pass returns logits plus
 * the sites it was asked to cache, and applies interventions at sites;
 * there is no global hook state.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Architecture, ForwardOptions, ForwardResult, ModelConfig, Params } from "../architecture.ts";
import { applyInterventions } from "../interventions.ts";
import { affine, linear } from "../linear.ts";
import { causalMask, embed, gelu, layerNorm, softmax } from "../ops.ts";

/** Every site name of a model, in forward order. */
function siteNames(cfg: ModelConfig): string[] {
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

/** The shape of every parameter, by name. */
function paramShapes(cfg: ModelConfig): Record<string, number[]> {
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
function validateModelConfig(cfg: ModelConfig): void {
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
function initParams(cfg: ModelConfig, seed: number): Params {
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

/** The forward pass (see `Architecture.forward`). */
function forward(
  params: Params,
  cfg: ModelConfig,
  tokens: tf.Tensor2D,
  opts: ForwardOptions,
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

  const tokenEmbeddings = embed(params["embed.W_E"] as tf.Tensor2D, tokens.reshape([n]));
  let x = (opts.packed
    // Packed rows: each token's position within its own document.
    ? tf.add(tokenEmbeddings, embed(params["pos.W_pos"] as tf.Tensor2D, opts.packed.positions.reshape([n])))
    : tf.add(tokenEmbeddings.reshape([batch, seq, d]), params["pos.W_pos"].slice([0, 0], [seq, d])).reshape([
      n,
      d,
    ])) as tf.Tensor2D;
  x = site("hook_embed", x);
  if (stopped) return { logits: null, cache };
  // One causal mask for every row, or each packed row's own (documents kept apart), broadcast over heads.
  const mask = opts.packed ? opts.packed.attentionMask.reshape([batch, 1, seq, seq]) : causalMask(seq);
  const masked = (scores: tf.Tensor3D) =>
    opts.packed
      ? tf.add(scores.reshape([batch, h, seq, seq]), mask).reshape([batch * h, seq, seq])
      : tf.add(scores, mask);

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
    const scores = masked(tf.matMul(tf.mul(q, 1 / Math.sqrt(dh)), k, false, true));
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

/** The block of a parameter: embeddings before the first, the final norm and unembedding after the last. */
function paramLayer(name: string, cfg: ModelConfig): number {
  const m = /^blocks\.(\d+)\./.exec(name);
  if (m) return Number(m[1]);
  return name.startsWith("ln_final") || name.startsWith("unembed") ? cfg.nLayers : -1;
}

/** The organism's transformer as an architecture. */
export const ORGANISM: Architecture = {
  name: "organism",
  paramShapes,
  validate: validateModelConfig,
  init: initParams,
  siteNames,
  forward,
  unembed: (params, hidden) => tf.matMul(hidden, params["unembed.W_U"] as tf.Tensor2D),
  paramLayer,
};
