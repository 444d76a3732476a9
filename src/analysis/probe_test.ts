import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { Rng } from "../core/rng.ts";
import { fitProbe, positiveRate } from "./probe.ts";

const blob = (rng: Rng, n: number, shift: number) =>
  Array.from({ length: n }, () => Array.from({ length: 6 }, (_, j) => rng.normal() + (j === 2 ? shift : 0)));

Deno.test("a probe separates two shifted blobs on held-out draws and is deterministic", () => {
  const rng = new Rng(4);
  const [neg, pos] = [blob(rng, 80, 0), blob(rng, 80, 3)];
  const probe = fitProbe(neg, pos);
  const [negTest, posTest] = [blob(rng, 200, 0), blob(rng, 200, 3)];
  // Bayes accuracy at a shift of 3σ is Φ(1.5) ≈ 0.93.
  assertOk(positiveRate(probe, posTest) > 0.85, `true positives ${positiveRate(probe, posTest)}`);
  assertOk(positiveRate(probe, negTest) < 0.15, `false positives ${positiveRate(probe, negTest)}`);
  assertEquals(fitProbe(neg, pos), probe);
});

Deno.test("a probe on indistinguishable classes stays near chance, however unequal the classes", () => {
  // Three times as many positives: weighting the classes equally keeps the probe at chance; an unweighted
  // fit would learn the prior (b = log 3) and call almost everything positive.
  const rng = new Rng(5);
  const probe = fitProbe(blob(rng, 200, 0), blob(rng, 600, 0));
  const rate = positiveRate(probe, blob(rng, 2000, 0));
  assertOk(rate > 0.4 && rate < 0.6, `rate ${rate}`);
  assertOk(Math.abs(probe.b) < 0.1, `bias ${probe.b}`);
});

Deno.test("a probe needs both classes", () => {
  assertThrows(() => fitProbe([], [[1]]), /both classes/);
});
