/**
 * What the λ and k sweeps share: BLOCK on the discovery domain over one
 * setting, with naive, and a table (and for λ a Pareto figure) of it.
 * @module
 */
import { lambdaPareto, type StrengthPoint } from "../reports/figures.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { type DraftSection, presentSection, type SectionSource } from "../reports/paper.ts";
import { reductionIncoherence, unlessIncoherent } from "../reports/incoherent.ts";

/** The sweep's section: one row per value of `key`, naive first. */
export function sweepSection(
  report: unknown,
  source: SectionSource,
  name: "lambda" | "k",
  key: "lambda" | "k",
  label: string,
): DraftSection {
  const rep = report as { rows: ReportRow[] };
  const rows = rep.rows.map((r) => ({
    [key]: r.method === "naive" ? "naive" : String(r.params[key]),
    em: unlessIncoherent(r.incoherence.mean, r.em),
    reduction: r.reduction && unlessIncoherent(reductionIncoherence(r), r.reduction),
    adherence: r.adherence,
    incoherence: r.incoherence,
    chosen: r.chosenOnSelectionSplit ? "chosen" : "",
  }));
  const points: StrengthPoint[] = rep.rows.map((r) => ({
    method: r.method === "naive" ? "naive" : "BLOCK",
    strength: r.method === "naive" ? null : r.params[key],
    em: r.em,
    adherence: r.adherence,
    incoherence: r.incoherence,
  }));
  return presentSection(`${label} sweep`, source, {
    tables: [{
      id: name,
      caption:
        `BLOCK on the discovery domain over ${label}; "chosen": the selection-split rule's pick; 95% CIs`,
      columns: [
        { key, label },
        { key: "em", label: "EM" },
        { key: "reduction", label: "reduction" },
        { key: "adherence", label: "adherence" },
        { key: "incoherence", label: "incoherence" },
        { key: "chosen", label: "selection split" },
      ],
      rows,
    }],
    figures: name === "lambda"
      ? [{
        id: "lambda-pareto",
        caption: "λ Pareto: EM against adherence and incoherence",
        spec: lambdaPareto(points, "λ sweep on medical (paper profile)"),
      }]
      : [],
  });
}
