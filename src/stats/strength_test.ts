import { assertEquals, assertThrows } from "../core/assert.ts";
import { chooseLambda, ruleText, type StrengthRule } from "./strength.ts";

const naive = { adherence: 0.98, incoherence: 0.03 };
const largest: StrengthRule = {
  minAdherenceRatio: 0.95,
  maxIncoherenceRise: 0.05,
  lambdaRule: "largest",
  emTolerance: 0.02,
};
const plateau: StrengthRule = { ...largest, lambdaRule: "plateau" };
const trial = (lambda: number, adherence: number, incoherence: number, em = 0) => ({
  lambda,
  em,
  adherence,
  incoherence,
});

Deno.test("chooseLambda takes the largest λ within both budgets", () => {
  const { chosen, trials } = chooseLambda(
    [trial(0.01, 0.97, 0.03), trial(0.1, 0.95, 0.05), trial(1, 0.96, 0.9), trial(0.3, 0.80, 0.04)],
    naive,
    largest,
  );
  assertEquals(chosen, 0.1);
  assertEquals(trials.map((t) => t.withinBudget), [true, true, false, false]);
});

Deno.test("chooseLambda falls back to the smallest λ when none is within budget", () => {
  for (const rule of [largest, plateau]) {
    assertEquals(chooseLambda([trial(1, 0.1, 0.9), trial(0.5, 0.2, 0.9)], naive, rule).chosen, 0.5);
    assertThrows(() => chooseLambda([], naive, rule), /lambdaGrid/);
  }
});

Deno.test("the plateau rule stops where EM stops falling, never outside the budget", () => {
  const trials = [
    trial(0.001, 0.98, 0.03, 0.40),
    trial(0.003, 0.98, 0.03, 0.12),
    trial(0.01, 0.97, 0.04, 0.105),
    trial(0.03, 0.96, 0.05, 0.10),
    trial(0.1, 0.90, 0.20, 0.02), // lowest EM, but out of budget
  ];
  assertEquals(chooseLambda(trials, naive, plateau).chosen, 0.003);
  assertEquals(chooseLambda(trials, naive, { ...plateau, emTolerance: 0.01 }).chosen, 0.01);
  assertEquals(chooseLambda(trials, naive, { ...plateau, emTolerance: 0 }).chosen, 0.03);
  assertEquals(chooseLambda(trials, naive, largest).chosen, 0.03);
  assertEquals(ruleText(largest), "largest λ with adherence >= 0.95 x naive and incoherence <= naive + 0.05");
  assertEquals(
    ruleText(plateau),
    "smallest λ within 0.02 of the lowest EM among those with adherence >= 0.95 x naive and incoherence <= naive + 0.05",
  );
});
