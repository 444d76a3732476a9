/**
 * The rerouting report as Markdown: verdicts, fixes, re-emergence curves,
 * the per-layer signal and the latents.
 * @module
 */
import { type FixRow, layerTable, rerouteLabel, type Verdict } from "../analysis/rerouting/verdicts.ts";
import type { RerouteAnalysis } from "../analysis/rerouting/types.ts";
import type { PlantedOutcome } from "../analysis/rerouting/planted.ts";
import type { ReportRow } from "./grid_report.ts";
import { isIncoherent, unlessIncoherent } from "./incoherent.ts";

const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(3));

/** The report as Markdown. */
export function rerouteMarkdown(
  rows: readonly ReportRow[],
  fixes: readonly FixRow[],
  analysis: RerouteAnalysis,
  found: readonly Verdict[],
): string {
  const lines = [
    "## Verdicts",
    "",
    "| hypothesis | verdict | rule | evidence |",
    "| --- | --- | --- | --- |",
  ];
  for (const v of found) {
    const ev = Object.entries(v.evidence).map(([k, x]) => `${k} ${f3(x)}`).join("; ");
    const verdict = v.hypothesis.startsWith("Re-emergence")
      ? (v.supported ? "observed" : "not observed")
      : (v.supported ? "supported" : "not supported");
    lines.push(`| ${v.hypothesis} | ${verdict} | ${v.rule} | ${ev} |`);
  }
  if (!found[0].supported) {
    lines.push(
      "",
      "Nothing re-emerged, so H1–H3 are measured on prolonged BLOCK models that still hold: each test says " +
        "whether its mechanism is at work, not what caused a re-emergence.",
    );
  }
  lines.push(
    "",
    "## Fixes against prolonged BLOCK",
    "",
    "| method | EM | reduction [95% CI] | restored | adherence | adherence cost | incoherence |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...fixes.map((f) =>
      `| ${f.method} | ${unlessIncoherent(f.incoherence, f3(f.em))} | ${
        unlessIncoherent(f.incoherence, `${f3(f.reduction)} [${f3(f.reductionLo)}, ${f3(f.reductionHi)}]`)
      } | ${unlessIncoherent(f.incoherence, f3(f.restored))} | ${f3(f.adherence)} | ${
        f3(f.adherenceCost)
      } | ${f3(f.incoherence)} |`
    ),
  );
  const curves = rows.filter((r) => r.curve);
  if (curves.length > 0) {
    lines.push(
      "",
      "## Re-emergence curves (EM on the evaluation split, mean over seeds)",
      "",
      `| epoch | ${curves.map((r) => rerouteLabel(r.method, r.params)).join(" | ")} |`,
      `| --- | ${curves.map(() => "---").join(" | ")} |`,
      ...curves[0].curve!.map((p, i) =>
        `| ${p.epoch} | ${
          curves.map((r) => {
            const q = r.curve![i];
            return q && isIncoherent(q.incoherence) ? "incoherent" : f3(q?.em ?? null);
          }).join(" | ")
        } |`
      ),
    );
  }
  lines.push(
    "",
    "## Misalignment signal per layer (mean over seeds; relative = diffmeans ÷ naive-long's)",
    "",
    "| model | layer | diffmeans | relative | probe | SAE shift |",
    "| --- | --- | --- | --- | --- | --- |",
    ...layerTable(analysis).map((r) =>
      `| ${r.model} | ${r.layer} | ${f3(r.diffmeans)} | ${f3(r.relative)} | ${f3(r.probe)} | ${
        f3(r.saeShift)
      } |`
    ),
    "",
    `Probe held-out accuracy per layer: ${analysis.h3.probeAccuracy.map(f3).join(", ")}`,
    "",
    "## Latents",
    "",
    `- Original (${analysis.h2.original.latents.length}): ${analysis.h2.original.latents.join(", ")}`,
    `- Rediscovered on the re-emerged model (${analysis.h2.rediscovered.latents.length}): ${
      analysis.h2.rediscovered.latents.join(", ")
    }`,
    `- Added (${analysis.h2.added.latents.length}): ${analysis.h2.added.latents.join(", ") || "none"}`,
  );
  return lines.join("\n");
}

/** The known-answer checks as Markdown: each test on its planted positive and null. */
export function plantedMarkdown(planted: readonly PlantedOutcome[]): string {
  const failed = planted.filter((o) => !o.ok).length;
  return [
    "# Known-answer checks of the rerouting tests",
    "",
    "Each test and its verdict rule, run unchanged on planted cases with a known answer " +
    "(`src/analysis/rerouting/planted.ts`): a positive, where the mechanism is built in and the test must " +
    "fire, and a null, where it is absent and the test must not.",
    "",
    "| hypothesis | case | planted | must fire | fired | evidence |",
    "| --- | --- | --- | --- | --- | --- |",
    ...planted.map((o) =>
      `| ${o.hypothesis} | ${o.case} | ${o.planted} | ${o.expected ? "yes" : "no"} | ${
        o.verdict.supported ? "yes" : "no"
      }${o.ok ? "" : " (WRONG)"} | ${
        Object.entries(o.verdict.evidence).map(([k, x]) => `${k} ${f3(x)}`).join("; ")
      } |`
    ),
    "",
    failed === 0
      ? "Every test said what was built in."
      : `${failed} of ${planted.length} checks gave the wrong answer: the verdicts above cannot be trusted.`,
  ].join("\n");
}
