/** Grid `k`: BLOCK on the discovery domain with the top k selected latents, k over `experiment.kSweep`. */
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid, latentsOnly } from "./grid.ts";
import { sweepSection } from "./sweep.ts";

export const K: Grid = {
  name: "k",
  summary: "BLOCK with the top k selected latents, k over experiment.kSweep",
  paper: { profile: "paper", title: "k sweep" },
  plannable: true,
  check: latentsOnly("k"),
  cells: (cfg, lambdaOf) => [
    ...cellsOf(cfg, [cfg.discover.domain], "naive", () => ({})),
    ...cfg.experiment.kSweep.flatMap((k) =>
      cellsOf(cfg, [cfg.discover.domain], "block", (b) => ({ lambda: lambdaOf(b), k }))
    ),
  ],
  reportStage: (run, ids) => gridReportStage(run, "k", ids, { chosenLambda: true }),
  section: (report, source) => sweepSection(report, source, "k", "k", "k"),
};
