/** Grid `lambda`: BLOCK on the discovery domain over `experiment.lambdaSweep`, with naive. */
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid } from "./grid.ts";
import { sweepSection } from "./sweep.ts";

export const LAMBDA: Grid = {
  name: "lambda",
  summary: "BLOCK over experiment.lambdaSweep, with naive",
  paper: { profile: "paper", title: "λ sweep" },
  plannable: true,
  cells: (cfg) => [
    ...cellsOf(cfg, [cfg.discover.domain], "naive", () => ({})),
    ...cfg.experiment.lambdaSweep.flatMap((lambda) =>
      cellsOf(cfg, [cfg.discover.domain], "block", () => ({ lambda }))
    ),
  ],
  reportStage: (run, ids) => gridReportStage(run, "lambda", ids),
  section: (report, source) => sweepSection(report, source, "lambda", "lambda", "λ"),
};
