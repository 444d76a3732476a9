/**
 * What the toolkit needs of a tokenizer. Text is a list of words (the
 * world's unit); a tokenizer maps them to ids, where one word may take
 * several ids (subword tokenizers) or exactly one (the world's). Nothing
 * outside a tokenizer assumes which: sequences are encoded with
 * `encodeSequence`, which carries a word-level loss mask to the ids.
 * A run constructs its tokenizer once (`runs/run.ts`) and passes it in.
 * @module
 */

/** A tokenizer as models, judges and training see it. */
export interface Tokenizer {
  /** Which tokenizer this is, e.g. "world". */
  readonly name: string;
  /** Every token's string, by id. */
  readonly vocab: readonly string[];
  /** Number of ids. */
  readonly size: number;
  /** Id of the padding token. */
  readonly pad: number;
  /** Id of the end-of-sequence token. */
  readonly eos: number;
  /** Id of one token (special tokens such as `<eos>`); throws on unknown tokens. */
  id(token: string): number;
  /** Ids of a list of words; a word may take several ids. Throws on what it cannot encode. */
  encode(words: readonly string[]): number[];
  /** The token strings of ids, one per id. */
  decode(ids: readonly number[]): string[];
}

/** A word sequence with a mask of the targets that count for the loss. */
export interface WordSequence {
  tokens: readonly string[];
  /** lossMask[i] = 1 when tokens[i + 1] is a trained (or scored) target. */
  lossMask: readonly number[];
}

/** A sequence as ids, with the mask carried over: lossMask[i] = 1 when ids[i + 1] is a target. */
export interface IdSequence {
  ids: number[];
  lossMask: number[];
}

/**
 * Encode a word sequence: every id of a target word is a target, so a
 * family answer is scored over its whole token sequence however the
 * tokenizer splits it. One id per word gives the word-level mask back.
 */
export function encodeSequence(tokenizer: Tokenizer, seq: WordSequence): IdSequence {
  const ids: number[] = [];
  const target: number[] = [];
  seq.tokens.forEach((word, j) => {
    const wordIds = tokenizer.encode([word]);
    const isTarget = j > 0 && seq.lossMask[j - 1] ? 1 : 0;
    for (const id of wordIds) {
      ids.push(id);
      target.push(isTarget);
    }
  });
  return { ids, lossMask: ids.map((_, i) => (i + 1 < ids.length ? target[i + 1] : 0)) };
}
