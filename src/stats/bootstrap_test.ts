import { assertAlmostEquals, assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { bootstrap, meanOverRuns } from "./bootstrap.ts";
import { cohensKappa } from "./agreement.ts";

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

Deno.test("bootstrap of [0, 1]: resampled means are 0, ½, 1 with chances ¼, ½, ¼", () => {
  // By hand: two draws from {0, 1} give mean 0 (¼), ½ (½) or 1 (¼); so the
  // 2.5% and 97.5% percentiles are 0 and 1 and the estimate is ½.
  const ci = bootstrap([[0, 1]], meanOverRuns(mean), { resamples: 4000, seed: 1 });
  assertEquals(ci, { mean: 0.5, lo: 0, hi: 1 });
});

Deno.test("bootstrap standard error of a mean matches σ/√n", () => {
  // For [1, 2, 3, 4]: population variance 1.25, so the bootstrap SE of the
  // mean is sqrt(1.25 / 4) ≈ 0.559 and the 95% interval ≈ mean ± 1.96·SE.
  const ci = bootstrap([[1, 2, 3, 4]], meanOverRuns(mean), { resamples: 20000, seed: 2 });
  assertAlmostEquals(ci.mean, 2.5, 1e-12);
  assertAlmostEquals((ci.hi - ci.lo) / (2 * 1.96), Math.sqrt(1.25 / 4), 0.06);
});

Deno.test("bootstrap is seeded and degenerate data give a zero-width interval", () => {
  const a = bootstrap([[1, 5, 2], [3, 3]], meanOverRuns(mean), { seed: 9 });
  const b = bootstrap([[1, 5, 2], [3, 3]], meanOverRuns(mean), { seed: 9 });
  assertEquals(a, b);
  assertEquals(bootstrap([[2, 2, 2]], meanOverRuns(mean)), { mean: 2, lo: 2, hi: 2 });
  assertThrows(() => bootstrap([], meanOverRuns(mean)), /at least one run/);
});

Deno.test("two-level bootstrap widens the interval when runs disagree", () => {
  const agreeing = bootstrap([[0, 1, 0, 1], [0, 1, 0, 1]], meanOverRuns(mean), { seed: 3 });
  const disagreeing = bootstrap([[0, 0, 0, 0], [1, 1, 1, 1]], meanOverRuns(mean), { seed: 3 });
  assertOk(disagreeing.hi - disagreeing.lo > agreeing.hi - agreeing.lo);
});

Deno.test("Cohen's kappa on hand-computed cases", () => {
  assertEquals(cohensKappa(["a", "b", "a"], ["a", "b", "a"]), 1);
  assertEquals(cohensKappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]), 0);
  // p_o = 3/5 = 0.6; p_e = 0.6·0.6 + 0.4·0.4 = 0.52; kappa = 0.08 / 0.48
  assertAlmostEquals(
    cohensKappa(["y", "y", "y", "n", "n"], ["y", "y", "n", "n", "y"]),
    (0.6 - 0.52) / 0.48,
    1e-12,
  );
  assertThrows(() => cohensKappa(["a"], []), /differ in length/);
});

Deno.test("paired bootstrap draws the same items for every run", () => {
  // Runs equal item by item: any shared resample gives both runs the same mean,
  // so the interval equals the one-run interval.
  const one = bootstrap([[0, 1, 2, 3]], meanOverRuns(mean), { seed: 4, pairedItems: true });
  const two = bootstrap([[0, 1, 2, 3], [0, 1, 2, 3]], meanOverRuns(mean), { seed: 4, pairedItems: true });
  assertEquals(two.mean, one.mean);
  assertThrows(() => bootstrap([[1], [1, 2]], meanOverRuns(mean), { pairedItems: true }), /equal length/);
});
