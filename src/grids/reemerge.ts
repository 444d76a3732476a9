/**
 * Grid `reemerge`: naive and BLOCK on the discovery domain fine-tuned
 * `experiment.prolongFactor` × longer, judged every `finetune.epochs`.
 * @module
 */
import { unlessIncoherent } from "../reports/incoherent.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { presentSection } from "../reports/paper.ts";
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid, prolonged } from "./grid.ts";

export const REEMERGE: Grid = {
  name: "reemerge",
  summary: "naive and BLOCK fine-tuned experiment.prolongFactor × longer, judged every finetune.epochs",
  paper: { profile: "paper", title: "Re-emergence under prolonged training" },
  plannable: true,
  cells: (cfg, lambdaOf) => [
    ...cellsOf(cfg, [cfg.discover.domain], "naive", () => prolonged(cfg)),
    ...cellsOf(cfg, [cfg.discover.domain], "block", (b) => ({ lambda: lambdaOf(b), ...prolonged(cfg) })),
  ],
  reportStage: (run, ids) => gridReportStage(run, "reemerge", ids, { chosenLambda: true }),
  section(report, source) {
    const reemerge = report as { rows: ReportRow[] };
    const withCurve = reemerge.rows.filter((r) => r.curve);
    const epochs = withCurve[0]?.curve?.map((p) => p.epoch) ?? [];
    return presentSection(this.paper.title, source, {
      tables: [{
        id: "reemerge-paper",
        caption: "EM along prolonged training, mean over seeds",
        columns: [
          { key: "epoch", label: "epoch" },
          ...withCurve.map((r) => ({ key: r.method, label: `${r.method} EM` })),
        ],
        rows: epochs.map((epoch, i) => ({
          epoch: String(epoch),
          ...Object.fromEntries(
            withCurve.map((r) => [r.method, unlessIncoherent(r.curve![i].incoherence, r.curve![i].em)]),
          ),
        })),
      }],
      figures: [],
    });
  },
};
