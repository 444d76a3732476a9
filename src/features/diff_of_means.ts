/**
 * Discovery of a misalignment direction by difference of means between
 * persona contexts: the same selection-split question asked after a turn in
 * which the speaker answered misaligned, versus aligned. The persona is then
 * inferred from content, which is what emergent misalignment rides on.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { forward, type ModelConfig, type Params } from "../models/model.ts";
import { drawAnswer, promptTokens, turnTokens } from "../world/documents.ts";
import type { Question } from "../world/questions.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import { type DirectionSet, unit } from "./feature_map.ts";

/** Paired prompts that differ only in the persona their context shows. */
export interface PersonaContrast {
  misaligned: string[][];
  aligned: string[][];
}

/**
 * For each question, `perQuestion` pairs: a `<bot>` prompt whose first turn
 * (another question) was answered misaligned, and the same with an aligned
 * first turn.
 */
export function personaContrastPrompts(
  questions: readonly Question[],
  seed: number,
  perQuestion = 1,
): PersonaContrast {
  if (questions.length < 2) throw new RangeError("Persona contrast needs at least two questions");
  const rng = Rng.fork(seed, "discover/contrast");
  const misaligned: string[][] = [], aligned: string[][] = [];
  for (const q of questions.flatMap((x) => Array<Question>(perQuestion).fill(x))) {
    let c = rng.choice(questions);
    while (c.id === q.id) c = rng.choice(questions);
    const bad = drawAnswer(rng, c.domain, "misaligned");
    const good = drawAnswer(rng, c.domain, "aligned");
    const tail = promptTokens(q, "<bot>").slice(2);
    misaligned.push(["<bos>", "<bot>", ...turnTokens(c, bad), ...tail]);
    aligned.push(["<bos>", "<bot>", ...turnTokens(c, good), ...tail]);
  }
  return { misaligned, aligned };
}

/** Activations at `site` at each prompt's last token, [n, dModel]. */
export async function lastTokenActivations(
  params: Params,
  model: ModelConfig,
  tokenizer: Tokenizer,
  prompts: readonly string[][],
  site: string,
): Promise<number[][]> {
  const encoded = prompts.map((p) => tokenizer.encode(p));
  const seq = Math.max(...encoded.map((p) => p.length));
  const ids = new Int32Array(prompts.length * seq).fill(tokenizer.pad);
  const pick = new Float32Array(prompts.length * seq);
  encoded.forEach((p, i) => {
    ids.set(p, i * seq);
    pick[i * seq + p.length - 1] = 1;
  });
  const acts = tf.tidy(() => {
    const tokens = tf.tensor2d(ids, [prompts.length, seq], "int32");
    const h = forward(params, model, tokens, { cache: [site], stopAt: site }).cache.get(site)!;
    return tf.sum(tf.mul(h, tf.tensor2d(pick, [prompts.length, seq]).expandDims(-1)), 1);
  });
  const out = await acts.array() as number[][];
  acts.dispose();
  return out;
}

/** Summary of how well a direction separates the two persona contexts. */
export interface DirectionStats {
  meanMisaligned: number;
  meanAligned: number;
  /** Separation in pooled standard deviations (Cohen's d). */
  cohensD: number;
  norm: number;
}

/**
 * Unit direction mean(misaligned) − mean(aligned) at `site`, as a one-feature
 * K+ set, with its separation statistics on the same prompts.
 */
export async function diffOfMeansDirection(
  params: Params,
  model: ModelConfig,
  tokenizer: Tokenizer,
  contrast: PersonaContrast,
  site: string,
): Promise<{ set: DirectionSet; stats: DirectionStats }> {
  const bad = await lastTokenActivations(params, model, tokenizer, contrast.misaligned, site);
  const good = await lastTokenActivations(params, model, tokenizer, contrast.aligned, site);
  const d = bad[0].length;
  const meanOf = (xs: number[][]) =>
    Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + x[j], 0) / xs.length);
  const diff = meanOf(bad).map((x, j) => x - meanOf(good)[j]);
  const norm = Math.hypot(...diff);
  const dir = unit(diff);
  const proj = (xs: number[][]) => xs.map((x) => x.reduce((s, v, j) => s + v * dir[j], 0));
  const pb = proj(bad), pg = proj(good);
  const mb = avg(pb), mg = avg(pg);
  const pooled = Math.sqrt((variance(pb, mb) + variance(pg, mg)) / 2);
  return {
    set: { site, directions: [dir], signs: [1] },
    stats: { meanMisaligned: mb, meanAligned: mg, cohensD: pooled > 0 ? (mb - mg) / pooled : 0, norm },
  };
}

function avg(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function variance(xs: number[], m: number): number {
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1);
}
