import { assertOk } from "../core/assert.ts";
import type { RerouteAnalysis } from "../analysis/rerouting/types.ts";
import type { FixRow } from "../analysis/rerouting/verdicts.ts";
import { rerouteMarkdown } from "./reroute.ts";

Deno.test("reroute report: a fix that broke the model shows as incoherent, not with its EM, reduction or restored share", () => {
  const fix = (method: string, reduction: number, restored: number | null, incoherence: number): FixRow => ({
    method,
    em: 0.123,
    reduction,
    reductionLo: reduction - 0.01,
    reductionHi: reduction + 0.01,
    restored,
    adherence: 0.9,
    adherenceCost: 0,
    incoherence,
  });
  const analysis: RerouteAnalysis = {
    site: "blocks.1.resid_post",
    h1: {
      fvu: { originalOnBase: 0.02, originalOnReemerged: 0.02, retrainedOnReemerged: 0.02 },
      shiftReconstructed: { discoveryModel: 0.9, reemergedOriginal: 0.9, reemergedRetrained: 0.9 },
      blockedMatch: [1],
      retrainedTopDelta: [],
    },
    h2: {
      original: { site: "s", latents: [1], signs: [1] },
      rediscovered: { site: "s", latents: [1], signs: [1] },
      added: { site: "s", latents: [], signs: [] },
      patching: [],
    },
    h3: { probeAccuracy: [0.9], rows: [] },
  };
  const fixes = [
    fix("block", 0.8, null, 0.01),
    fix("block-long", 0.4, 0, 0.01),
    fix("block-freeze-long", 0.777, 0.9, 0.97),
  ];
  const md = rerouteMarkdown([], fixes, analysis, [
    { hypothesis: "Re-emergence under prolonged training", supported: true, rule: "", evidence: {} },
  ]);
  assertOk(md.includes("| block-freeze-long | incoherent | incoherent | incoherent |"), md);
  assertOk(!md.includes("0.777"), md);
});
