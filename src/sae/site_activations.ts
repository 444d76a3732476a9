/**
 * Activations of a model at one site on pretraining-style documents: the
 * data an SAE is trained on. Every non-padding position except `<bos>`
 * counts (the first position's activation is a constant of the model).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { forward, type ModelConfig, type Params } from "../models/model.ts";
import { DEFAULT_PERSONA_MIX, type PersonaMix, pretrainDocument } from "../world/documents.ts";
import type { Question } from "../world/questions.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { ActivationSource } from "./activation_buffer.ts";

/** A source of `site` activations on fresh documents drawn with `seed`. */
export function documentActivationSource(
  params: Params,
  model: ModelConfig,
  tokenizer: Tokenizer,
  questions: readonly Question[],
  site: string,
  seed: number,
  docsPerCall = 64,
  mix: PersonaMix = DEFAULT_PERSONA_MIX,
): ActivationSource {
  if (questions.length === 0) throw new RangeError("SAE activations need at least one question");
  const rng = Rng.fork(seed, "sae/documents");
  return async () => {
    const docs = Array.from(
      { length: docsPerCall },
      () => tokenizer.encode(pretrainDocument(rng, questions, mix).tokens),
    );
    const seq = Math.min(model.contextLength, Math.max(...docs.map((d) => d.length)));
    const ids = new Int32Array(docs.length * seq).fill(tokenizer.pad);
    docs.forEach((d, i) => ids.set(d.slice(0, seq), i * seq));
    const h = tf.tidy(() => {
      const tokens = tf.tensor2d(ids, [docs.length, seq], "int32");
      return forward(params, model, tokens, { cache: [site], stopAt: site }).cache.get(site)!;
    });
    const all = await h.data() as Float32Array;
    h.dispose();
    const d = model.dModel;
    const lengths = docs.map((x) => Math.min(seq, x.length));
    const out = new Float32Array(lengths.reduce((s, l) => s + l - 1, 0) * d);
    let row = 0;
    docs.forEach((_, i) => {
      for (let t = 1; t < lengths[i]; t++) {
        out.set(all.subarray((i * seq + t) * d, (i * seq + t + 1) * d), d * row++);
      }
    });
    return out;
  };
}

/** Rows of `source` until at least `tokens` rows are collected, flattened. */
export async function collect(
  source: () => Promise<Float32Array>,
  tokens: number,
  dIn: number,
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let rows = 0;
  while (rows < tokens) {
    const p = await source();
    parts.push(p);
    rows += p.length / dIn;
  }
  const out = new Float32Array(rows * dIn);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
