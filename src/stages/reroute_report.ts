/**
 * Stage `experiments/reroute`: the rerouting study's report over the
 * `reroute` grid's cells and each base seed's analysis: rows, fixes,
 * verdicts, curves and the per-layer table, as JSON, Markdown and CSV.
 * @module
 */
import { plantedChecks } from "../analysis/rerouting/planted.ts";
import { join } from "node:path";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import type { RerouteAnalysis } from "../analysis/rerouting/types.ts";
import { fixRows, layerTable, rerouteLabel, verdicts } from "../analysis/rerouting/verdicts.ts";
import { METHODS } from "../methods/registry.ts";
import { gridInterval, gridReport, readCellResults } from "../reports/grid_report.ts";
import { plantedMarkdown, rerouteMarkdown } from "../reports/reroute.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";

/** The report stage over the grid's cells and each base seed's analysis. */
export function rerouteReportStage(run: Run, ids: string[]): StageSpec {
  const cfg = run.config, root = run.root;
  const paths = runPaths(run.profile);
  const dir = paths.experiment("reroute");
  const analyses = cfg.seeds.base.map((base) =>
    `${runPaths(run.profile, { base, finetune: 0 }).reroute("analysis")}/analysis.json`
  );
  const outputs = ["report.json", "report.md", "curves.csv", "layers.csv"].map((f) => `${dir}/${f}`);
  const fixes = [...METHODS.values()].filter((m) => m.group === "fix").map((m) => m.name);
  return {
    name: "experiments/reroute",
    dir,
    config: { evaluate: cfg.evaluate, block: cfg.block, layer: cfg.discover.layer, cells: ids },
    seeds: { evaluateSeed: cfg.evaluate.seed },
    inputs: [...ids.map((id) => `${paths.cell(id)}/result.json`), ...analyses],
    outputs,
    code: import.meta.url,
    run: async () => {
      const results = await readCellResults(root, paths.cell, ids);
      const rows = gridReport(results, cfg, { chosenLambda: true });
      const fixRowsOf = fixRows(rows, fixes);
      const perBase = [];
      for (const [i, base] of cfg.seeds.base.entries()) {
        const analysis = await readJson<RerouteAnalysis>(join(root, analyses[i]));
        // Each base model's verdicts read its own cells: a pooled loss would repeat one number for all of them.
        const own = cfg.seeds.base.length === 1 ? fixRowsOf : fixRows(
          gridReport(results.filter((r) => r.cell.base === base), cfg, { chosenLambda: true }),
          fixes,
        );
        perBase.push({ base, analysis, fixes: own, verdicts: verdicts(analysis, own, cfg.discover.layer) });
      }
      const planted = await plantedChecks();
      const curves = results.filter((r) => r.curve).flatMap((r) =>
        r.curve!.map((p) => ({
          model: rerouteLabel(r.cell.method, r.cell.params),
          base: r.cell.base,
          finetune: r.cell.finetune,
          ...p,
        }))
      );
      await writeJsonAtomic(join(root, `${dir}/report.json`), {
        judge: "exact",
        interval: gridInterval(cfg.evaluate.resamples),
        blockLayer: cfg.discover.layer,
        rows,
        fixes: fixRowsOf,
        curves,
        bases: perBase.map((b) => ({ ...b, layers: layerTable(b.analysis) })),
        planted,
        cells: ids,
      });
      await writeFileAtomic(
        join(root, `${dir}/report.md`),
        perBase.map((b) =>
          `# Rerouting analysis, base seed ${b.base}\n\n${
            rerouteMarkdown(rows, fixRowsOf, b.analysis, b.verdicts)
          }`
        ).join("\n\n") + `\n\n${plantedMarkdown(planted)}\n`,
      );
      await writeFileAtomic(
        join(root, `${dir}/curves.csv`),
        toCsv(curves, ["model", "base", "finetune", "epoch", "em", "incoherence", "adherence"]),
      );
      await writeFileAtomic(
        join(root, `${dir}/layers.csv`),
        toCsv(
          perBase.flatMap((b) => b.analysis.h3.rows.map((r) => ({ base: b.base, ...r }))),
          ["base", "finetune", "model", "layer", "diffmeans", "probe", "saeShift"],
        ),
      );
      return outputs;
    },
  };
}
