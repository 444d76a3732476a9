/**
 * A tokenizer for tests that splits every word into two ids (the word's own
 * and a continuation piece), so code that assumed one id per word fails.
 * @module
 */
import type { Tokenizer } from "./tokenizer.ts";

/** `base` with every word but the `<…>` specials encoded as [its id, V + its id]; V pieces are added. */
export function splitTokenizer(base: Tokenizer): Tokenizer {
  const v = base.size;
  return {
    name: `${base.name}-split`,
    vocab: [...base.vocab, ...base.vocab.map((w) => `##${w}`)],
    size: 2 * v,
    pad: base.pad,
    eos: base.eos,
    id: (token) => base.id(token),
    encode: (words) =>
      base.encode(words).flatMap((id) => (base.vocab[id].startsWith("<") ? [id] : [id, v + id])),
    decode: (ids) => ids.map((id) => (id < v ? base.vocab[id] : `##${base.vocab[id - v] ?? "<unk>"}`)),
  };
}
