/**
 * Grid `ablations`: on `experiment.domains`, naive and BLOCK against every
 * registered ablation of BLOCK (random latents per draw, discovery only,
 * shuffled signs, K+ only, K− only, the final layer).
 * @module
 */
import { METHODS } from "../methods/registry.ts";
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, draws, type Grid } from "./grid.ts";
import { methodTableSection } from "./method_table.ts";

export const ABLATIONS: Grid = {
  name: "ablations",
  summary: "random latents, discovery-only, shuffled signs, K+ only, K− only, final layer",
  paper: { profile: "paper", title: "Ablations" },
  plannable: true,
  cells(cfg, lambdaOf) {
    const domains = cfg.experiment.domains;
    const lambda = (b: number) => ({ lambda: lambdaOf(b) });
    const ablations = [...METHODS.values()].filter((m) => m.group === "ablation" && m.name !== "random");
    return [
      ...cellsOf(cfg, domains, "naive", () => ({})),
      ...cellsOf(cfg, domains, "block", lambda),
      ...draws(cfg).flatMap((draw) =>
        cellsOf(cfg, domains, "random", (b) => ({ lambda: lambdaOf(b), draw }))
      ),
      ...ablations.flatMap((m) => cellsOf(cfg, domains, m.name, lambda)),
    ];
  },
  reportStage: (run, ids) => gridReportStage(run, "ablations", ids),
  section: (report, source) => methodTableSection(report, source, "ablations", "Ablations"),
};
