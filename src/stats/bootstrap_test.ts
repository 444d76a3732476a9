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
  const runs = [[1, 5, 2, 9, 0, 4], [3, 3, 7]];
  const at = (seed: number) => bootstrap(runs, meanOverRuns(mean), { seed, resamples: 200 });
  assertEquals(at(9), at(9));
  // Another seed draws other resamples: a bootstrap that ignored its seed would give the same bounds.
  assertOk([10, 11, 12].some((s) => at(s).lo !== at(9).lo || at(s).hi !== at(9).hi));
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
  // A rater that gives one label only: agreement is undefined, not perfect.
  assertOk(Number.isNaN(cohensKappa(["x", "x", "x"], ["x", "x", "x"])));
  assertOk(Number.isNaN(cohensKappa(["x", "x", "x"], ["x", "y", "x"])));
});

Deno.test("paired bootstrap draws the same items for every run", () => {
  // Two runs equal item by item: with the same items drawn for both, every resample's difference of
  // their means is 0; drawn apart (unpaired), the difference varies.
  const runs = [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]];
  const diff = (rs: readonly (readonly number[])[]) => mean(rs[0]) - mean(rs[1]);
  const paired = bootstrap(runs, diff, { seed: 4, pairedItems: true, resamples: 500 });
  assertEquals(paired, { mean: 0, lo: 0, hi: 0 });
  const unpaired = bootstrap(runs, diff, { seed: 4, resamples: 500 });
  assertOk(unpaired.lo < 0 && unpaired.hi > 0, `unpaired ${JSON.stringify(unpaired)}`);
  assertThrows(() => bootstrap([[1], [1, 2]], meanOverRuns(mean), { pairedItems: true }), /equal length/);
});

Deno.test("a statistic undefined on the data has an undefined interval; undefined resamples are left out", () => {
  const undefinedMean = bootstrap([[1, 2]], () => Number.NaN, { resamples: 20 });
  assertOk([undefinedMean.mean, undefinedMean.lo, undefinedMean.hi].every(Number.isNaN));
  // Defined on the data, undefined on resamples that drew only zeros: those resamples do not count.
  const ratio = (rs: readonly (readonly number[])[]) => (mean(rs[0]) > 0 ? 1 / mean(rs[0]) : Number.NaN);
  const ci = bootstrap([[0, 2]], ratio, { resamples: 400, seed: 5 });
  assertEquals(ci.mean, 1);
  assertOk(Number.isFinite(ci.lo) && Number.isFinite(ci.hi) && ci.lo >= 0.5 && ci.hi <= 1);
  // Defined only when the three items are drawn distinct (6 resamples in 27): no interval from so few.
  const distinct = (rs: readonly (readonly number[])[]) =>
    new Set(rs[0]).size === rs[0].length ? mean(rs[0]) : Number.NaN;
  const rare = bootstrap([[1, 2, 3]], distinct, { resamples: 400, seed: 5 });
  assertEquals(rare.mean, 2);
  assertOk(Number.isNaN(rare.lo) && Number.isNaN(rare.hi), `${rare.lo}, ${rare.hi}`);
});

Deno.test("three-level bootstrap: base models disagreeing widen the interval; one group is the two-level bootstrap", () => {
  // Two base models, three fine-tuning seeds each; seeds agree within a base, bases disagree.
  const runs = [[0.1, 0.1], [0.1, 0.1], [0.1, 0.1], [0.9, 0.9], [0.9, 0.9], [0.9, 0.9]];
  const groups = [0, 0, 0, 1, 1, 1];
  const flat = bootstrap(runs, meanOverRuns(mean), { seed: 4, resamples: 2000 });
  const nested = bootstrap(runs, meanOverRuns(mean), { seed: 4, resamples: 2000, groups });
  // Resampling only the six runs treats them as independent; resampling the two bases first can draw
  // one base twice, so the interval reaches both bases' values.
  assertOk(nested.hi - nested.lo > flat.hi - flat.lo, `${JSON.stringify(nested)} vs ${JSON.stringify(flat)}`);
  assertAlmostEquals(nested.lo, 0.1, 1e-12);
  assertAlmostEquals(nested.hi, 0.9, 1e-12);
  // A single group draws exactly what the two-level bootstrap draws.
  assertEquals(
    bootstrap(runs, meanOverRuns(mean), { seed: 4, groups: [7, 7, 7, 7, 7, 7] }),
    bootstrap(runs, meanOverRuns(mean), { seed: 4 }),
  );
  assertThrows(() => bootstrap(runs, meanOverRuns(mean), { groups: [0] }), /one group per run/);
});
