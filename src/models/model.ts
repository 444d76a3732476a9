/**
 * A model, whatever its architecture: the functions the rest of the toolkit
 * calls, each dispatched to the architecture its config names.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ForwardOptions, ForwardResult, ModelConfig, Params } from "./architecture.ts";
import { architectureOf } from "./registry.ts";

export type { ForwardOptions, ForwardResult, ModelConfig, Params } from "./architecture.ts";

/** Every site name of a model, in forward order. */
export function siteNames(cfg: ModelConfig): string[] {
  return architectureOf(cfg).siteNames(cfg);
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
  return architectureOf(cfg).paramShapes(cfg);
}

/** Validate a model config, naming the bad field. */
export function validateModelConfig(cfg: ModelConfig): void {
  architectureOf(cfg).validate(cfg);
}

/** Fresh weights, seeded. */
export function initParams(cfg: ModelConfig, seed: number): Params {
  return architectureOf(cfg).init(cfg, seed);
}

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
  return architectureOf(cfg).forward(params, cfg, tokens, opts);
}

/** Logits [n, vocab] of final-site activations [n, dModel]. */
export function unembed(params: Params, cfg: ModelConfig, hidden: tf.Tensor2D): tf.Tensor2D {
  return architectureOf(cfg).unembed(params, hidden);
}

/** Every parameter after block `layer`: later blocks, the final norm and the unembedding. */
export function paramsAfter(cfg: ModelConfig, layer: number): string[] {
  const arch = architectureOf(cfg);
  return Object.keys(arch.paramShapes(cfg)).filter((n) => arch.paramLayer(n, cfg) > layer);
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
