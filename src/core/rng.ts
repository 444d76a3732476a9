/**
 * Seeded pseudo-random numbers (splitmix32 seeding + xoshiro128**).
 *
 * tfjs has no global seed, so every data decision in blockem draws from an
 * explicit `Rng`; its state can be saved and restored for resumable runs.
 * @module
 */

/** Hash a seed and a label into a 32-bit seed, so sub-streams are independent. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * A small, fast, seedable generator.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(7), b = new Rng(7);
 * if (a.next() !== b.next()) throw new Error("not deterministic");
 * ```
 */
export class Rng {
  #s: Uint32Array;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0) {
      throw new RangeError(`Seed must be a non-negative integer, got ${seed}`);
    }
    this.#s = new Uint32Array(4);
    let st = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      const [n, out] = splitmix32(st);
      st = n;
      this.#s[i] = out;
    }
  }

  /** A child generator whose stream depends on this seed and `label` only. */
  static fork(seed: number, label: string): Rng {
    return new Rng(deriveSeed(seed, label));
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`Rng.int needs a positive integer, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /** One element of a non-empty array. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.choice of empty array");
    return items[this.int(items.length)];
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** The internal state, for checkpoints. */
  getState(): number[] {
    return Array.from(this.#s);
  }

  /** Restore a state taken with `getState`. */
  setState(state: readonly number[]): void {
    if (state.length !== 4) throw new RangeError("Rng state must have 4 words");
    this.#s.set(state.map((x) => x >>> 0));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
