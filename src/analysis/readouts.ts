/**
 * Why one readout blocks and the other may not: a blocked fine-tune holds
 * the selected latents as the encoder reads them (their encoder directions)
 * or as their decoder directions span them, and can still move along
 * whatever that read leaves out. This measures how much of the EM shift
 * (the discovery model's mean activation minus the base's at the block
 * site) lies inside each span, for the selected latents and for random
 * latent sets of the same size (the random control's), beside chance: a
 * random subspace of that dimension holds n/d of a vector on average.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { latentDirections, type LatentSet } from "../features/sae_features.ts";
import type { Params } from "../models/model.ts";
import { meanRow, orthonormalBasis, spanShare } from "./subspace.ts";

/** Shares of the EM shift inside a latent set's decoder and encoder spans. */
export interface SpanShares {
  decoder: number;
  encoder: number;
}

/** The measured account for one base model. */
export interface ReadoutAccount {
  site: string;
  latents: number;
  /** n/d: what a random subspace of the selected set's dimension holds on average. */
  chance: number;
  selected: SpanShares;
  /** Each random control's latent set. */
  random: SpanShares[];
}

/** Encoder read directions of `latents`: the columns of W_enc, unit length. */
export async function encoderDirections(sae: Params, latents: readonly number[]): Promise<number[][]> {
  const enc = tf.tidy(() => {
    const cols = tf.transpose(tf.gather(sae.W_enc, tf.tensor1d(latents as number[], "int32"), 1));
    return tf.div(cols, tf.maximum(tf.norm(cols, "euclidean", 1, true), 1e-8));
  });
  const out = await enc.array() as number[][];
  enc.dispose();
  return out;
}

/** The shares of `shift` inside the decoder and encoder spans of `set`. */
async function shares(sae: Params, set: LatentSet, shift: readonly number[]): Promise<SpanShares> {
  return {
    decoder: spanShare(shift, orthonormalBasis(await latentDirections(sae, set.latents))),
    encoder: spanShare(shift, orthonormalBasis(await encoderDirections(sae, set.latents))),
  };
}

/** The account from activations at the block site of the base and the discovery model on the same prompts. */
export async function readoutAccount(
  sae: Params,
  selected: LatentSet,
  randomSets: readonly LatentSet[],
  baseActs: readonly number[][],
  tunedActs: readonly number[][],
): Promise<ReadoutAccount> {
  const base = meanRow(baseActs);
  const shift = meanRow(tunedActs).map((v, j) => v - base[j]);
  const random = [];
  for (const set of randomSets) random.push(await shares(sae, set, shift));
  return {
    site: selected.site,
    latents: selected.latents.length,
    chance: selected.latents.length / shift.length,
    selected: await shares(sae, selected, shift),
    random,
  };
}
