import { assertEquals, assertThrows } from "../core/assert.ts";
import { chooseLambda } from "./strength.ts";

const naive = { adherence: 0.98, incoherence: 0.03 };
const trial = (lambda: number, adherence: number, incoherence: number) => ({
  lambda,
  em: 0,
  adherence,
  incoherence,
});

Deno.test("chooseLambda takes the largest λ within both budgets", () => {
  const { chosen, trials } = chooseLambda(
    [trial(0.01, 0.97, 0.03), trial(0.1, 0.95, 0.05), trial(1, 0.96, 0.9), trial(0.3, 0.80, 0.04)],
    naive,
    0.95,
    0.05,
  );
  assertEquals(chosen, 0.1);
  assertEquals(trials.map((t) => t.withinBudget), [true, true, false, false]);
});

Deno.test("chooseLambda falls back to the smallest λ when none is within budget", () => {
  assertEquals(chooseLambda([trial(1, 0.1, 0.9), trial(0.5, 0.2, 0.9)], naive, 0.95, 0.05).chosen, 0.5);
  assertThrows(() => chooseLambda([], naive, 0.95, 0.05), /lambdaGrid/);
});
