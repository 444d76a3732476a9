import { assertAlmostEquals, assertEquals } from "../../core/assert.ts";
import type { RerouteAnalysis } from "./types.ts";
import { fixRows, type RerouteRow, verdicts } from "./verdicts.ts";

const row = (
  method: string,
  params: Record<string, number>,
  em: number,
  reduction: number | null,
  adh = 0.9,
  incoherence = 0.01,
) =>
  ({
    domain: "medical",
    method,
    params,
    cells: 2,
    em: { mean: em, lo: em, hi: em },
    reduction: reduction === null ? null : { mean: reduction, lo: reduction - 0.01, hi: reduction + 0.01 },
    incoherence: { mean: incoherence, lo: incoherence, hi: incoherence },
    adherence: { mean: adh, lo: adh, hi: adh },
    selection: { em, incoherence, adherence: adh },
    chosenOnSelectionSplit: null,
    curve: null,
  }) as RerouteRow;

function analysisWith(over: {
  fvu?: [number, number];
  shares?: [number, number];
  added?: number[];
  drops?: { added: number; random: number };
  diffmeans?: Record<string, number[]>;
}): RerouteAnalysis {
  const [onBase, onRe] = over.fvu ?? [0.02, 0.021];
  const [disc, re] = over.shares ?? [0.8, 0.78];
  const added = over.added ?? [9];
  const drops = over.drops ?? { added: 0.02, random: 0.01 };
  const diffmeans = over.diffmeans ?? { "naive-long": [1, 2, 3], "block-long": [0.2, 0.5, 0.8] };
  return {
    site: "blocks.1.resid_post",
    h1: {
      fvu: { originalOnBase: onBase, originalOnReemerged: onRe, retrainedOnReemerged: onBase },
      shiftReconstructed: { discoveryModel: disc, reemergedOriginal: re, reemergedRetrained: 0.9 },
      blockedMatch: [0.95, 0.5],
      retrainedTopDelta: [],
    },
    h2: {
      original: { site: "s", latents: [1], signs: [1] },
      rediscovered: { site: "s", latents: [1, ...added], signs: [1, ...added.map(() => 1)] },
      added: { site: "s", latents: added, signs: added.map(() => 1) },
      patching: [1, 2].map((finetune) => ({
        finetune,
        unpatched: 0.5,
        original: 0.49,
        added: added.length > 0 ? 0.5 - drops.added : null,
        union: 0.45,
        random: [0.5 - drops.random],
        shiftShare: { original: 0.3, added: added.length > 0 ? 0.2 : null, union: 0.4, random: [0.05] },
      })),
    },
    h3: {
      probeAccuracy: [0.9, 0.9, 0.9],
      rows: Object.entries(diffmeans).flatMap(([model, values]) =>
        [1, 2].flatMap((finetune) =>
          values.map((diffmeans, layer) => ({ finetune, model, layer, diffmeans, probe: 0.5, saeShift: 0.1 }))
        )
      ),
    },
  };
}

Deno.test("reroute verdicts follow their stated thresholds", () => {
  const rows = [
    row("naive", {}, 0.9, null),
    row("block", { lambda: 0.01 }, 0.1, 0.8),
    row("naive", { epochs: 20, curveEvery: 2 }, 0.8, null),
    row("block", { lambda: 0.01, epochs: 20, curveEvery: 2 }, 0.6, 0.4, 0.9),
    row("block-freeze", { lambda: 0.01, epochs: 20, curveEvery: 2 }, 0.2, 0.7, 0.85),
  ];
  const FIXES = ["block-union", "block-layers", "block-freeze"];
  const fixes = fixRows(rows, FIXES);
  const freeze = fixes.find((f) => f.method === "block-freeze-long")!;
  assertAlmostEquals(freeze.restored!, 0.75, 1e-12); // (0.7 − 0.4) / (0.8 − 0.4)
  assertAlmostEquals(freeze.adherenceCost, 0.05, 1e-12);
  assertEquals(fixes.find((f) => f.method === "block")!.restored, null);
  // A prolonged BLOCK that keeps its effect: nothing re-emerged, so nothing is "restored".
  const held = fixRows(
    rows.map((r) =>
      r.method === "block" && r.params.epochs ? { ...r, reduction: { mean: 0.78, lo: 0.77, hi: 0.79 } } : r
    ),
    FIXES,
  );
  assertEquals(held.find((f) => f.method === "block-freeze-long")!.restored, null);
  assertEquals(verdicts(analysisWith({}), held, 1)[0].supported, false);

  // Defaults: relative signal 0.25 at the block layer and 0.267 after it, no FVU rise, a small patching effect.
  assertEquals(verdicts(analysisWith({}), fixes, 1).map((v) => v.supported), [true, false, false, false]);
  const bypass = { diffmeans: { "naive-long": [1, 2, 3], "block-long": [0.2, 0.5, 2.4] } };
  assertEquals(verdicts(analysisWith(bypass), fixes, 1)[3].supported, true);
  // The same signal without a freeze fix that restores the effect is not enough.
  const weakFreeze = fixRows(
    rows.map((r) => r.method === "block-freeze" ? { ...r, reduction: { ...r.reduction!, mean: 0.5 } } : r),
    FIXES,
  );
  assertEquals(verdicts(analysisWith(bypass), weakFreeze, 1)[3].supported, false);
  assertEquals(verdicts(analysisWith({ fvu: [0.02, 0.031] }), fixes, 1)[1].supported, true);
  assertEquals(verdicts(analysisWith({ shares: [0.8, 0.39] }), fixes, 1)[1].supported, true);
  assertEquals(verdicts(analysisWith({ shares: [0.8, 0.41] }), fixes, 1)[1].supported, false);
  assertEquals(verdicts(analysisWith({ drops: { added: 0.07, random: 0.01 } }), fixes, 1)[2].supported, true);
  assertEquals(
    verdicts(analysisWith({ added: [], drops: { added: 0.07, random: 0 } }), fixes, 1)[2].supported,
    false,
  );
});

Deno.test("reroute verdicts: erosion through incoherence is not re-emergence, and an incoherent fix restores nothing", () => {
  const FIXES = ["block-freeze"];
  const rows = (longIncoherence: number, freezeIncoherence: number) => [
    row("naive", {}, 0.9, null),
    row("block", { lambda: 0.01 }, 0.1, 0.8),
    row("naive", { epochs: 20, curveEvery: 2 }, 0.8, null),
    row("block", { lambda: 0.01, epochs: 20, curveEvery: 2 }, 0.6, 0.4, 0.9, longIncoherence),
    row("block-freeze", { lambda: 0.01, epochs: 20, curveEvery: 2 }, 0.2, 0.7, 0.85, freezeIncoherence),
  ];
  const bypass = analysisWith({ diffmeans: { "naive-long": [1, 2, 3], "block-long": [0.2, 0.5, 2.4] } });
  const coherent = verdicts(bypass, fixRows(rows(0.01, 0.01), FIXES), 1);
  assertEquals([coherent[0].supported, coherent[3].supported], [true, true]);
  // The same reduction lost while block-long answers turn to noise: not re-emergence.
  assertEquals(verdicts(bypass, fixRows(rows(0.11, 0.01), FIXES), 1)[0].supported, false);
  // Freezing that "restores" the reduction only by breaking the model does not support H3.
  const broken = fixRows(rows(0.01, 0.97), FIXES);
  assertEquals(verdicts(bypass, broken, 1)[3].supported, false);
});
