/**
 * Stage `experiments/<grid>`: a grid's report over its cells' results, as
 * JSON, Markdown and CSV (`reports/grid_report.ts` builds the rows).
 * @module
 */
import { join } from "node:path";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import {
  gridInterval,
  gridReport,
  type GridReportOptions,
  readCellResults,
  reportMarkdown,
} from "../reports/grid_report.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";

/** What a grid's report stage adds to the rows. */
export interface GridReportStageOptions extends GridReportOptions {
  /** JSON files (stages of the grid's own) whose contents the report carries, under each key. */
  attach?: Record<string, string[]>;
}

/** The report stage of a grid over its cells. */
export function gridReportStage(
  run: Run,
  grid: string,
  ids: string[],
  opts: GridReportStageOptions = {},
): StageSpec {
  const attach = opts.attach ?? {};
  const cfg = run.config, root = run.root;
  const paths = runPaths(run.profile);
  const dir = paths.experiment(grid);
  const outputs = [`${dir}/report.json`, `${dir}/report.md`, `${dir}/report.csv`];
  return {
    name: `experiments/${grid}`,
    dir,
    config: {
      grid,
      evaluate: cfg.evaluate,
      block: cfg.block,
      cells: ids,
      ...(opts.chosenLambda ? { chosenLambda: true } : {}),
    },
    seeds: { evaluateSeed: cfg.evaluate.seed },
    inputs: [...ids.map((id) => `${paths.cell(id)}/result.json`), ...Object.values(attach).flat()],
    outputs,
    code: import.meta.url,
    run: async () => {
      const results = await readCellResults(root, paths.cell, ids);
      const rows = gridReport(results, cfg, opts);
      // With several base models, each one's rows too: the pooled interval says how much they differ, these say which.
      const bases = [...new Set(results.map((r) => r.cell.base))].sort((a, b) => a - b);
      const byBase = bases.length > 1
        ? bases.map((base) => ({
          base,
          rows: gridReport(results.filter((r) => r.cell.base === base), cfg, opts),
        }))
        : undefined;
      const attached: Record<string, unknown[]> = {};
      for (const [k, files] of Object.entries(attach)) {
        attached[k] = await Promise.all(files.map((f) => readJson(join(root, f))));
      }
      await writeJsonAtomic(join(root, `${dir}/report.json`), {
        grid,
        interval: gridInterval(cfg.evaluate.resamples),
        judge: "exact",
        rows,
        ...(byBase ? { byBase } : {}),
        ...attached,
        cells: ids,
      });
      await writeFileAtomic(join(root, `${dir}/report.md`), reportMarkdown(rows) + "\n");
      await writeFileAtomic(
        join(root, `${dir}/report.csv`),
        toCsv(
          rows.map((r) => ({
            domain: r.domain,
            method: r.method,
            settings: Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(" "),
            cells: r.cells,
            em: r.em.mean,
            em_lo: r.em.lo,
            em_hi: r.em.hi,
            reduction: r.reduction?.mean ?? "",
            reduction_lo: r.reduction?.lo ?? "",
            reduction_hi: r.reduction?.hi ?? "",
            incoherence: r.incoherence.mean,
            adherence: r.adherence.mean,
            selection_em: r.selection.em,
            selection_incoherence: r.selection.incoherence,
            selection_adherence: r.selection.adherence,
            chosen_on_selection_split: r.chosenOnSelectionSplit ?? "",
          })),
          [
            "domain",
            "method",
            "settings",
            "cells",
            "em",
            "em_lo",
            "em_hi",
            "reduction",
            "reduction_lo",
            "reduction_hi",
            "incoherence",
            "adherence",
            "selection_em",
            "selection_incoherence",
            "selection_adherence",
            "chosen_on_selection_split",
          ],
        ),
      );
      return outputs;
    },
  };
}
