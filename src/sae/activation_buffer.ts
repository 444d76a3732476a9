/**
 * A shuffling activation buffer (after SAELens): holds `capacity` rows of
 * activations, hands out shuffled batches, and when half has been served
 * refills those rows from the source and reshuffles everything, so that
 * consecutive batches mix many documents.
 * @module
 */
import { Rng } from "../core/rng.ts";

/** Yields activation rows [n, dIn] flattened; each call may return any n ≥ 1. */
export type ActivationSource = () => Promise<Float32Array>;

/** The buffer. Create with `ActivationBuffer.fill`. */
export class ActivationBuffer {
  readonly dIn: number;
  readonly capacity: number;
  #rows: Float32Array;
  #order: Uint32Array;
  #served = 0;
  #pending = new Float32Array(0);
  #offset = 0;
  #source: ActivationSource;
  #rng: Rng;

  private constructor(dIn: number, capacity: number, source: ActivationSource, seed: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError("Buffer capacity must be ≥ 2 rows");
    this.dIn = dIn;
    this.capacity = capacity;
    this.#rows = new Float32Array(capacity * dIn);
    this.#order = new Uint32Array(capacity);
    this.#source = source;
    this.#rng = Rng.fork(seed, "activation-buffer");
  }

  /** A full buffer, shuffled. */
  static async fill(
    dIn: number,
    capacity: number,
    source: ActivationSource,
    seed: number,
  ): Promise<ActivationBuffer> {
    const b = new ActivationBuffer(dIn, capacity, source, seed);
    await b.#refill(Array.from({ length: capacity }, (_, i) => i));
    return b;
  }

  /** All rows currently held (for statistics such as the mean norm). */
  get rows(): Float32Array {
    return this.#rows;
  }

  /** The next `n` shuffled rows, flattened [n, dIn]. */
  async take(n: number): Promise<Float32Array> {
    if (n > this.capacity / 2) {
      throw new RangeError(`Batch of ${n} exceeds half the buffer (${this.capacity})`);
    }
    if (this.#served + n > this.capacity / 2) {
      await this.#refill(Array.from(this.#order.subarray(0, this.#served)));
    }
    const out = new Float32Array(n * this.dIn);
    for (let i = 0; i < n; i++) {
      const r = this.#order[this.#served + i];
      out.set(this.#rows.subarray(r * this.dIn, (r + 1) * this.dIn), i * this.dIn);
    }
    this.#served += n;
    return out;
  }

  /** Overwrite `slots` with fresh rows, then reshuffle the whole buffer. */
  async #refill(slots: number[]): Promise<void> {
    const d = this.dIn;
    for (const slot of slots) {
      if (this.#offset + d > this.#pending.length) {
        const more = await this.#source();
        if (more.length === 0 || more.length % d !== 0) {
          throw new RangeError(`Activation source returned ${more.length} values, not a multiple of ${d}`);
        }
        this.#pending = Float32Array.from(more);
        this.#offset = 0;
      }
      this.#rows.set(this.#pending.subarray(this.#offset, this.#offset + d), slot * d);
      this.#offset += d;
    }
    const perm = this.#rng.shuffle(Array.from({ length: this.capacity }, (_, i) => i));
    this.#order.set(perm);
    this.#served = 0;
  }
}
