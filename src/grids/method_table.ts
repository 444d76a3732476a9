/**
 * The section the ablation and baseline grids share: one row per method and
 * setting on the experiment domains, with the selection split's pick.
 * @module
 */
import type { ReportRow } from "../reports/grid_report.ts";
import {
  type DraftSection,
  type FigureDraft,
  presentSection,
  type SectionSource,
  settingsLabel,
} from "../reports/paper.ts";
import { reductionIncoherence, unlessIncoherent } from "../reports/incoherent.ts";

/** A table of every row of the grid's report, and `figures`. */
export function methodTableSection(
  report: unknown,
  source: SectionSource,
  id: string,
  title: string,
  figures: (rows: readonly ReportRow[]) => FigureDraft[] = () => [],
): DraftSection {
  const rep = report as { rows: ReportRow[] };
  return presentSection(title, source, {
    tables: [{
      id,
      caption: `${title} on medical; reduction against naive of the same seeds; 95% CIs`,
      columns: [
        { key: "method", label: "method" },
        { key: "settings", label: "settings" },
        { key: "em", label: "EM" },
        { key: "reduction", label: "reduction" },
        { key: "adherence", label: "adherence" },
        { key: "incoherence", label: "incoherence" },
        { key: "chosen", label: "selection split" },
      ],
      rows: rep.rows.map((r) => ({
        method: r.method,
        settings: settingsLabel(r.params, r.lambdas),
        em: unlessIncoherent(r.incoherence.mean, r.em),
        reduction: r.reduction && unlessIncoherent(reductionIncoherence(r), r.reduction),
        adherence: r.adherence,
        incoherence: r.incoherence,
        chosen: r.chosenOnSelectionSplit ? "chosen" : "",
      })),
    }],
    figures: figures(rep.rows),
  });
}
