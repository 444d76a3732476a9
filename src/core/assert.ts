/**
 * Assertions for tests. Stand-in for `@std/assert` (JSR is unreachable
 * here): switching back is an edit to this file only.
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (msg === undefined) assert.deepStrictEqual(actual, expected);
  else assert.deepStrictEqual(actual, expected, msg);
}

/** Not deeply strictly equal. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (msg === undefined) assert.notDeepStrictEqual(actual, expected);
  else assert.notDeepStrictEqual(actual, expected, msg);
}

/** Truthiness. */
export function assertOk(value: unknown, msg?: string): asserts value {
  if (msg === undefined) assert.ok(value);
  else assert.ok(value, msg);
}

/** |actual - expected| <= tolerance. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  msg?: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new assert.AssertionError({
      message: msg ??
        `Expected ${actual} to be within ${tolerance} of ${expected}`,
      actual,
      expected,
    });
  }
}

/** The function throws an error whose message matches `pattern`. */
export function assertThrows(fn: () => unknown, pattern: RegExp = /(?:)/): void {
  assert.throws(fn, pattern);
}

/** The promise rejects with an error whose message matches `pattern`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  pattern: RegExp = /(?:)/,
): Promise<void> {
  await assert.rejects(fn, pattern);
}
