/**
 * The claims as the page's first section: one row per claim with its
 * measured values, rule and verdict (`claims.ts` computes them).
 * @module
 */
import type { Claim } from "./claims.ts";
import type { DraftSection } from "./paper.ts";
import { type Estimate, formatValue } from "./tables.ts";

/** A measured value as text: estimates as mean [lo, hi], numbers to three places. */
function measuredText(v: number | Estimate | string | null): string {
  return typeof v === "string" ? v : formatValue(v);
}

/** The claims as a page section: one row per claim, its measured values, rule and verdict. */
export function claimsSection(found: readonly Claim[]): DraftSection {
  return {
    title: "The paper's claims on the organism",
    notes: [
      "Computed from the reports below by src/reports/claims.ts and written as results/claims.json; src/reports/claim_rules.ts states each rule and where it comes from.",
    ],
    tables: [{
      id: "claims",
      caption: "Each claim of the paper: what the organism measured, the rule, the verdict",
      columns: [
        { key: "claim", label: "paper's claim" },
        { key: "measured", label: "measured" },
        { key: "rule", label: "rule" },
        { key: "verdict", label: "verdict" },
      ],
      rows: found.map((c) => ({
        claim: c.claim,
        measured: Object.entries(c.measured).map(([k, v]) => `${k}: ${measuredText(v)}`).join("; ") || "–",
        rule: c.rule,
        verdict: c.verdict,
      })),
    }],
    figures: [],
  };
}
