/**
 * `reroute`: the paper's limiting regime and its explanations, end to end.
 *
 *  1. the upstream stages of every grid, plus an SAE at every layer and
 *     discovery at each layer after the block layer;
 *  2. a re-emerged model: BLOCK prolonged on the discovery domain with the
 *     discovery seed, so the latents found on it are never found on an
 *     evaluation seed's model;
 *  3. H1: an SAE retrained on its activations (`reroute/sae`); H2: discovery
 *     rerun against it (`reroute/discover`);
 *  4. the `reroute` grid on the evaluation seeds: naive and BLOCK at both
 *     lengths and the prolonged fixes (block-union uses step 3's latents);
 *  5. the analysis (`reroute/analysis`) and the report under
 *     `experiments/reroute/`.
 * @module
 */
import { join } from "node:path";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { type Cell, cellId, cellStage } from "../stages/cell.ts";
import { runCells } from "./cell_pool.ts";
import { discoverStage } from "../stages/discover.ts";
import { gridReport, readCellResults } from "../reports/grid_report.ts";
import { upstreamStages } from "./experiment.ts";
import { resolvedLambda, selectionKey } from "../stages/finetune.ts";
import { gridCells, prolonged } from "../grids/grids.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { RunConfig } from "../config/schema.ts";
import { type RerouteAnalysis, rerouteAnalysisStage, type SeedModels } from "../stages/reroute_analysis.ts";
import { fixRows, layerTable, rerouteLabel, rerouteMarkdown, verdicts } from "../reports/reroute.ts";
import { saeStage } from "../stages/sae.ts";
import { runStage, type StageContext, type StageResult, type StageSpec } from "../runs/stage.ts";

/** The re-emerged model the rerouting tests read: prolonged BLOCK with the discovery seed. */
export function reemergedModelCell(cfg: RunConfig, base: number, lambda: number): Cell {
  return {
    domain: cfg.discover.domain,
    method: "block",
    params: { lambda, ...prolonged(cfg) },
    base,
    finetune: cfg.discover.seed,
  };
}

/** The report stage over the grid's cells and each base seed's analysis. */
function reportStage(cfg: RunConfig, root: string, profile: string, ids: string[]): StageSpec {
  const paths = runPaths(profile);
  const dir = paths.experiment("reroute");
  const analyses = cfg.seeds.base.map((base) =>
    `${runPaths(profile, { base, finetune: 0 }).reroute("analysis")}/analysis.json`
  );
  return {
    name: "experiments/reroute",
    dir,
    config: { evaluate: cfg.evaluate, block: cfg.block, layer: cfg.discover.layer, cells: ids },
    seeds: { evaluateSeed: cfg.evaluate.seed },
    inputs: [...ids.map((id) => `${paths.cell(id)}/result.json`), ...analyses],
    code: import.meta.url,
    run: async () => {
      const results = await readCellResults(root, paths.cell, ids);
      const rows = gridReport(results, cfg);
      const fixes = fixRows(rows);
      const perBase = [];
      for (const [i, base] of cfg.seeds.base.entries()) {
        const analysis = await readJson<RerouteAnalysis>(join(root, analyses[i]));
        perBase.push({ base, analysis, verdicts: verdicts(analysis, fixes, cfg.discover.layer) });
      }
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
        interval: `bootstrap 95%, ${cfg.evaluate.resamples} resamples over seed cells and shared prompts`,
        rows,
        fixes,
        curves,
        bases: perBase.map((b) => ({ ...b, layers: layerTable(b.analysis) })),
        cells: ids,
      });
      await writeFileAtomic(
        join(root, `${dir}/report.md`),
        perBase.map((b) =>
          `# Rerouting analysis, base seed ${b.base}\n\n${
            rerouteMarkdown(rows, fixes, b.analysis, b.verdicts)
          }`
        ).join("\n\n") + "\n",
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
      return ["report.json", "report.md", "curves.csv", "layers.csv"].map((f) => `${dir}/${f}`);
    },
  };
}

/** Run the whole rerouting study for a profile. */
export async function runReroute(
  cfg: RunConfig,
  root: string,
  profile: string,
  ctx: StageContext,
): Promise<{ results: StageResult[]; report: string }> {
  if (cfg.discover.layer >= cfg.model.nLayers - 1) {
    throw new RangeError(
      `Rerouting needs layers after the block layer; the block layer ${cfg.discover.layer} is the model's last (use --profile reference)`,
    );
  }
  const results: StageResult[] = [];
  const run = async (s: StageSpec) => results.push(await runStage(s, ctx));
  for (const s of upstreamStages("reroute", cfg, root, profile)) await run(s);
  const lambdas = new Map<number, number>();
  for (const base of cfg.seeds.base) {
    const key: RunKey = selectionKey(cfg, base);
    const lambda = await resolvedLambda(cfg, root, profile, key);
    lambdas.set(base, lambda);
    const reemerged = reemergedModelCell(cfg, base, lambda);
    const model = runPaths(profile, key).cell(cellId(reemerged, cfg));
    const paths = runPaths(profile, key);
    await run(cellStage(cfg, root, profile, reemerged));
    await run(saeStage(cfg, root, profile, key, cfg.discover.layer, {
      name: `base-${base}/reroute/sae`,
      model,
      dir: paths.reroute("sae"),
    }));
    await run(discoverStage(cfg, root, profile, key, cfg.discover.layer, {
      name: `base-${base}/reroute/discover`,
      model,
      dir: paths.reroute("discover"),
    }));
  }
  const cells = gridCells("reroute", cfg, (b) => lambdas.get(b)!);
  results.push(...await runCells("reroute", cells, cfg, root, profile, ctx, ctx.workers ?? 1));
  for (const base of cfg.seeds.base) {
    const key = selectionKey(cfg, base);
    const seeds = new Map<number, SeedModels>();
    for (const c of cells.filter((x) => x.base === base)) {
      const models = seeds.get(c.finetune) ?? {};
      models[rerouteLabel(c.method, c.params)] = runPaths(profile, key).cell(cellId(c, cfg));
      seeds.set(c.finetune, models);
    }
    const reemerged = runPaths(profile, key).cell(
      cellId(reemergedModelCell(cfg, base, lambdas.get(base)!), cfg),
    );
    await run(rerouteAnalysisStage(cfg, root, profile, key, reemerged, seeds));
  }
  const ids = [...new Set(cells.map((c) => cellId(c, cfg)))];
  await run(reportStage(cfg, root, profile, ids));
  return { results, report: `${runPaths(profile).experiment("reroute")}/report.md` };
}
