/** The summary's check lines: an undefined value is shown as not measurable, never as a pass. */
import { assertEquals } from "../core/assert.ts";
import { check } from "../stats/checks.ts";
import { formatCheck } from "./summary.ts";

Deno.test("a check line says PASS or FAIL with its value, and N/A when the value is undefined", () => {
  assertEquals(formatCheck(check("EM cut", 0.8, 0.5, true)), "PASS  EM cut (measured 0.800)");
  assertEquals(formatCheck(check("EM cut", 0.2, 0.5, false)), "FAIL  EM cut (measured 0.200)");
  assertEquals(formatCheck(check("EM cut", Number.NaN, 0.5, true)), "N/A   EM cut (not measurable)");
  assertEquals(
    formatCheck(check("blocks win", 3, 6, false, "conditions")),
    "FAIL  blocks win (measured 3 of 6 conditions)",
  );
});
