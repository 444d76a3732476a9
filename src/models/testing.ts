/**
 * Small fixtures for tests of model code.
 * @module
 */
import type { ModelConfig } from "./model.ts";

/** A model small enough for unit tests. */
export const TINY_MODEL: ModelConfig = {
  vocabSize: 11,
  contextLength: 8,
  dModel: 8,
  nLayers: 2,
  nHeads: 2,
  dMlp: 16,
};

/** Deterministic token ids [batch][seq] in the tiny vocabulary. */
export function tinyTokens(batch = 2, seq = 6): number[][] {
  return Array.from(
    { length: batch },
    (_, b) => Array.from({ length: seq }, (_, t) => (b * 3 + t * 5 + 1) % 11),
  );
}
