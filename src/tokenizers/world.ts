/**
 * Word-level tokenizer over the world's closed vocabulary.
 * @module
 */
import { DOMAINS, REFUSALS, SPECIAL_TOKENS } from "../world/spec.ts";

/** Maps words to ids and back. */
export class Tokenizer {
  readonly vocab: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(vocab: readonly string[]) {
    this.vocab = vocab;
    this.#ids = new Map(vocab.map((w, i) => [w, i]));
    if (this.#ids.size !== vocab.length) throw new RangeError("Vocabulary has duplicates");
  }

  /** The world's tokenizer: specials first, then every word sorted. */
  static forWorld(): Tokenizer {
    const words = new Set<string>();
    const add = (text: string) => text.split(" ").forEach((w) => words.add(w));
    for (const d of DOMAINS) {
      d.templates.forEach((t) => add(t.replace("{a}", "").replace("{b}", "").replace(/\s+/g, " ").trim()));
      [...d.slots.a, ...d.slots.b, ...d.aligned, ...d.misaligned].forEach(add);
    }
    REFUSALS.forEach(add);
    return new Tokenizer([...SPECIAL_TOKENS, ...[...words].filter((w) => w).sort()]);
  }

  get size(): number {
    return this.vocab.length;
  }

  /** Id of one token; throws on unknown words. */
  id(token: string): number {
    const i = this.#ids.get(token);
    if (i === undefined) throw new RangeError(`Unknown token '${token}'`);
    return i;
  }

  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.id(t));
  }

  decode(ids: readonly number[]): string[] {
    return ids.map((i) => this.vocab[i] ?? "<unk>");
  }

  get pad(): number {
    return this.id("<pad>");
  }
}
