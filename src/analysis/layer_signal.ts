/**
 * The misalignment signal at every layer (the per-layer table behind the
 * rerouting analysis): for each model, how far the residual stream after
 * each layer has moved along that layer's misalignment direction, relative
 * to the base model on the same prompts. A signal that vanishes at the block
 * layer but appears after it is a downstream bypass.
 * @module
 */
import { lastTokenActivations } from "../features/diff_of_means.ts";
import type { ModelConfig, Params } from "../model/transformer.ts";
import type { Tokenizer } from "../world/tokenizer.ts";

/**
 * signal[name][layer] = mean over prompts of (h_model − h_base) · d̂_layer at
 * the last prompt token of `blocks.<layer>.resid_post`; `directions[layer]`
 * must be a unit vector.
 */
export async function layerSignal(
  models: Readonly<Record<string, Params>>,
  base: Params,
  model: ModelConfig,
  tokenizer: Tokenizer,
  prompts: readonly string[][],
  directions: readonly (readonly number[])[],
): Promise<Record<string, number[]>> {
  if (directions.length !== model.nLayers) {
    throw new RangeError(`One direction per layer is needed (${model.nLayers}), got ${directions.length}`);
  }
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(models)) out[name] = [];
  for (let layer = 0; layer < model.nLayers; layer++) {
    const site = `blocks.${layer}.resid_post`;
    const d = directions[layer];
    const proj = (acts: number[][]) =>
      acts.reduce((s, h) => s + h.reduce((t, x, j) => t + x * d[j], 0), 0) / acts.length;
    const baseline = proj(await lastTokenActivations(base, model, tokenizer, prompts, site));
    for (const [name, params] of Object.entries(models)) {
      out[name].push(proj(await lastTokenActivations(params, model, tokenizer, prompts, site)) - baseline);
    }
  }
  return out;
}
