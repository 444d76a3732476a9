/**
 * Grid `baselines`: on `experiment.domains`, naive and BLOCK against every
 * registered method of the "baseline" group, the published in-training
 * defenses on the same footing: KL and LDIFS over their weight grids, CAFT,
 * preventative steering over α, inoculation and freezing.
 * @module
 */
import { strengthOf } from "../methods/registry.ts";
import { lambdaPareto } from "../reports/figures.ts";
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid, groupCells, latentsOnly } from "./grid.ts";
import { methodTableSection } from "./method_table.ts";

export const BASELINES: Grid = {
  name: "baselines",
  summary: "KL, LDIFS, CAFT, preventative steering, inoculation, freezing",
  paper: { profile: "paper", title: "Baselines" },
  plannable: true,
  check: latentsOnly("baselines"),
  cells: (cfg, lambdaOf) => [
    ...cellsOf(cfg, cfg.experiment.domains, "naive", () => ({})),
    ...cellsOf(cfg, cfg.experiment.domains, "block", (b) => ({ lambda: lambdaOf(b) })),
    ...groupCells(cfg, cfg.experiment.domains, "baseline", lambdaOf),
  ],
  reportStage: (run, ids) => gridReportStage(run, "baselines", ids),
  section: (report, source) =>
    methodTableSection(report, source, "baselines", "Baselines", (rows) => [{
      id: "baselines-pareto",
      caption: "Baselines with a strength against BLOCK: EM against adherence and incoherence",
      spec: lambdaPareto(
        rows.filter((r) => strengthOf(r.method) !== undefined || r.method === "naive").map((r) => {
          const key = strengthOf(r.method);
          return {
            method: r.method,
            strength: key === undefined ? null : r.params[key] ?? null,
            em: r.em,
            adherence: r.adherence,
            incoherence: r.incoherence,
          };
        }),
        "In-training baselines (paper profile)",
      ),
    }]),
};
