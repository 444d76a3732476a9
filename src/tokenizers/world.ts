/**
 * The world's tokenizer: one id per word of its closed vocabulary (specials
 * first, then every word of every domain, sorted).
 * @module
 */
import { DOMAINS, REFUSALS, SPECIAL_TOKENS } from "../world/spec.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** Maps the world's words to ids and back, one id per word. */
export class WorldTokenizer implements Tokenizer {
  readonly name = "world";
  readonly vocab: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(vocab: readonly string[]) {
    this.vocab = vocab;
    this.#ids = new Map(vocab.map((w, i) => [w, i]));
    if (this.#ids.size !== vocab.length) throw new RangeError("Vocabulary has duplicates");
  }

  /** The world's tokenizer: specials first, then every word sorted. */
  static forWorld(extra: readonly string[] = []): WorldTokenizer {
    const words = new Set<string>();
    const add = (text: string) => text.split(" ").forEach((w) => words.add(w));
    for (const d of DOMAINS) {
      d.templates.forEach((t) => add(t.replace("{a}", "").replace("{b}", "").replace(/\s+/g, " ").trim()));
      [...d.slots.a, ...d.slots.b, ...d.aligned, ...d.misaligned].forEach(add);
    }
    REFUSALS.forEach(add);
    // Extra tokens (a world's optional persona tags) go last, so every other token keeps its id.
    return new WorldTokenizer([...SPECIAL_TOKENS, ...[...words].filter((w) => w).sort(), ...extra]);
  }

  get size(): number {
    return this.vocab.length;
  }

  get pad(): number {
    return this.id("<pad>");
  }

  get eos(): number {
    return this.id("<eos>");
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
}
