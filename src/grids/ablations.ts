/**
 * Grid `ablations`: on `experiment.domains`, naive and BLOCK against every
 * registered method of the "ablation" group (random latents per draw,
 * discovery only, shuffled signs, K+ only, K− only, the final layer).
 * @module
 */
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid, groupCells, latentsOnly } from "./grid.ts";
import { methodTableSection } from "./method_table.ts";

export const ABLATIONS: Grid = {
  name: "ablations",
  summary: "random latents, discovery-only, shuffled signs, K+ only, K− only, final layer",
  paper: { profile: "paper", title: "Ablations" },
  plannable: true,
  check: latentsOnly("ablations"),
  cells: (cfg, lambdaOf) => [
    ...cellsOf(cfg, cfg.experiment.domains, "naive", () => ({})),
    ...cellsOf(cfg, cfg.experiment.domains, "block", (b) => ({ lambda: lambdaOf(b) })),
    ...groupCells(cfg, cfg.experiment.domains, "ablation", lambdaOf),
  ],
  reportStage: (run, ids) => gridReportStage(run, "ablations", ids, { chosenLambda: true }),
  section: (report, source) => methodTableSection(report, source, "ablations", "Ablations"),
};
