/**
 * Grid `baselines`: on `experiment.domains`, naive and BLOCK against every
 * registered method of the "baseline" group, the published in-training
 * defenses on the same footing: KL and LDIFS over their weight grids, CAFT,
 * preventative steering over α, inoculation and freezing.
 * @module
 */
import { strengthOf } from "../methods/registry.ts";
import { lambdaPareto, reductionCurves } from "../reports/figures.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { isIncoherent, leftOutNote } from "../reports/incoherent.ts";
import { settingsLabel } from "../reports/paper.ts";
import { dominance, dominanceText, operatingPoints } from "../reports/pareto.ts";
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid, groupCells, latentsOnly } from "./grid.ts";
import { methodTableSection } from "./method_table.ts";

export const BASELINES: Grid = {
  name: "baselines",
  summary: "KL, LDIFS, CAFT, preventative steering, inoculation, freezing, against BLOCK over its λ sweep",
  paper: { profile: "paper", title: "Baselines" },
  plannable: true,
  check: latentsOnly("baselines"),
  cells: (cfg, lambdaOf) => [
    ...cellsOf(cfg, cfg.experiment.domains, "naive", () => ({})),
    ...cellsOf(cfg, cfg.experiment.domains, "block", (b) => ({ lambda: lambdaOf(b) })),
    // BLOCK's whole curve, to set each baseline's curve beside (the λ grid's cells where the domains agree).
    ...cfg.experiment.lambdaSweep.flatMap((lambda) =>
      cellsOf(cfg, cfg.experiment.domains, "block", () => ({ lambda }))
    ).filter((c) => c.params.lambda !== lambdaOf(c.base)),
    ...groupCells(cfg, cfg.experiment.domains, "baseline", lambdaOf),
  ],
  reportStage: (run, ids) => gridReportStage(run, "baselines", ids),
  section: (report, source) => {
    const rows = (report as { rows: ReportRow[] }).rows;
    const domains = [...new Set(rows.map((r) => r.domain))];
    const section = methodTableSection(
      report,
      source,
      "baselines",
      "Baselines",
      (rows) =>
        domains.flatMap((domain) => {
          const of = rows.filter((r) => r.domain === domain);
          const leftOut = of.filter((r) => r.reduction && isIncoherent(r.incoherence.mean)).map((r) =>
            `${r.method} ${settingsLabel(r.params)}`
          );
          return [{
            id: domains.length === 1 ? "baselines-curves" : `baselines-curves-${domain}`,
            caption: `Each baseline's curve over its strengths beside BLOCK's over λ, on ${domain}`,
            spec: reductionCurves(
              operatingPoints(of),
              `EM reduction against adherence, ${domain} (paper profile)`,
              leftOutNote(leftOut),
            ),
          }, {
            id: domains.length === 1 ? "baselines-pareto" : `baselines-pareto-${domain}`,
            caption: "Baselines with a strength against BLOCK: EM against adherence and incoherence",
            spec: lambdaPareto(
              of.filter((r) => strengthOf(r.method) !== undefined || r.method === "naive").map((r) => {
                const key = strengthOf(r.method);
                return {
                  method: r.method,
                  strength: key === undefined ? null : r.params[key] ?? null,
                  em: r.em,
                  adherence: r.adherence,
                  incoherence: r.incoherence,
                };
              }),
              `In-training baselines, ${domain} (paper profile)`,
            ),
          }];
        }),
    );
    const notes = domains.flatMap((domain) =>
      dominanceText(dominance(operatingPoints(rows.filter((r) => r.domain === domain)))).map((t) =>
        domains.length === 1 ? t : `${domain}: ${t}`
      )
    );
    return { ...section, notes: [...(section.notes ?? []), ...notes] };
  },
};
