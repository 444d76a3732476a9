/**
 * `experiment --grid <name>`: the upstream stages a grid needs, every cell
 * (reused by content hash when already finished), and the grid's report
 * under `results/<profile>/experiments/<grid>/`.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { runCells } from "./cell_pool.ts";
import { type Cell, cellId } from "../stages/cell.ts";
import { discoverStage } from "../stages/discover.ts";
import { discoveryModelStage } from "../stages/discovery_model.ts";
import { dataStage } from "../stages/data.ts";
import { gridReport, readCellResults, reportMarkdown } from "../reports/grid_report.ts";
import { finetuneStage, resolvedLambda, selectionKey } from "../stages/finetune.ts";
import { gridCells, type GridName } from "../grids/grids.ts";
import { blockLayers } from "../methods/methods.ts";
import { runPaths } from "../runs/paths.ts";
import { pretrainStage } from "../stages/pretrain.ts";
import type { RunConfig } from "../config/schema.ts";
import { saeStage } from "../stages/sae.ts";
import { selectStage } from "../stages/select.ts";
import { runStage, type StageContext, type StageResult, type StageSpec } from "../runs/stage.ts";

/** The stages every grid builds on, per base seed: the features and the chosen λ. */
export function upstreamStages(grid: GridName, cfg: RunConfig, root: string, profile: string): StageSpec[] {
  const stages: StageSpec[] = [dataStage(cfg, root, profile)];
  const finalLayer = cfg.model.nLayers - 1;
  for (const base of cfg.seeds.base) {
    const key = selectionKey(cfg, base);
    stages.push(
      pretrainStage(cfg, root, profile, key),
      saeStage(cfg, root, profile, key, cfg.discover.layer),
      discoveryModelStage(cfg, root, profile, key),
      discoverStage(cfg, root, profile, key),
    );
    if (grid === "ablations" && finalLayer !== cfg.discover.layer) {
      stages.push(
        saeStage(cfg, root, profile, key, finalLayer),
        discoverStage(cfg, root, profile, key, finalLayer),
      );
    }
    if (grid === "reroute") {
      // Every layer's SAE (the per-layer latent shift) and discovery after the block layer (block-layers).
      for (let layer = 0; layer < cfg.model.nLayers; layer++) {
        if (layer !== cfg.discover.layer) stages.push(saeStage(cfg, root, profile, key, layer));
      }
      for (const layer of blockLayers(cfg).filter((l) => l !== cfg.discover.layer)) {
        stages.push(discoverStage(cfg, root, profile, key, layer));
      }
    }
    if (cfg.block.selectLambda) {
      stages.push(
        finetuneStage(cfg, root, profile, key, cfg.discover.domain, "naive"),
        selectStage(cfg, root, profile, key),
      );
    }
  }
  return stages;
}

/** The report stage of a grid over its cells. */
function reportStage(
  grid: GridName,
  cfg: RunConfig,
  root: string,
  profile: string,
  ids: string[],
): StageSpec {
  const paths = runPaths(profile);
  const dir = paths.experiment(grid);
  return {
    name: `experiments/${grid}`,
    dir,
    config: { grid, evaluate: cfg.evaluate, block: cfg.block, cells: ids },
    seeds: { evaluateSeed: cfg.evaluate.seed },
    inputs: ids.map((id) => `${paths.cell(id)}/result.json`),
    code: import.meta.url,
    run: async () => {
      const results = await readCellResults(root, paths.cell, ids);
      const rows = gridReport(results, cfg);
      await writeJsonAtomic(join(root, `${dir}/report.json`), {
        grid,
        interval: `bootstrap 95%, ${cfg.evaluate.resamples} resamples over seed cells and shared prompts`,
        judge: "exact",
        rows,
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
      return [`${dir}/report.json`, `${dir}/report.md`, `${dir}/report.csv`];
    },
  };
}

/** A grid's upstream stages (run or reused) and its cells, with the λ chosen per base seed. */
export async function prepareGrid(
  grid: GridName,
  cfg: RunConfig,
  root: string,
  profile: string,
  ctx: StageContext,
): Promise<{ results: StageResult[]; cells: Cell[] }> {
  const results: StageResult[] = [];
  for (const s of upstreamStages(grid, cfg, root, profile)) results.push(await runStage(s, ctx));
  const lambdas = new Map<number, number>();
  for (const base of cfg.seeds.base) {
    lambdas.set(base, await resolvedLambda(cfg, root, profile, selectionKey(cfg, base)));
  }
  return { results, cells: gridCells(grid, cfg, (b) => lambdas.get(b)!) };
}

/** Run a grid: upstream stages, cells, report. */
export async function runExperiment(
  grid: GridName,
  cfg: RunConfig,
  root: string,
  profile: string,
  ctx: StageContext,
): Promise<{ results: StageResult[]; report: string }> {
  const { results, cells } = await prepareGrid(grid, cfg, root, profile, ctx);
  const ids = [...new Set(cells.map((c) => cellId(c, cfg)))];
  results.push(...await runCells(grid, cells, cfg, root, profile, ctx, ctx.workers ?? 1));
  results.push(await runStage(reportStage(grid, cfg, root, profile, ids), ctx));
  return { results, report: `${runPaths(profile).experiment(grid)}/report.md` };
}
