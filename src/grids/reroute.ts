/**
 * Grid `reroute`: the paper's limiting regime and its explanations. On the
 * discovery domain, naive and BLOCK at the normal length and prolonged, and
 * the prolonged fixes (every method of the "fix" group). Its own stages, per
 * base seed: a re-emerged model (prolonged BLOCK with the discovery seed, so
 * latents found on it are never found on an evaluation seed's model), an SAE
 * retrained on it (H1) and discovery rerun against it (H2, read by
 * `block-union`); then the analysis (H1–H3) over the grid's models, and the
 * report.
 * @module
 */
import type { PlantedOutcome } from "../analysis/rerouting/planted.ts";
import type { RerouteAnalysis, SeedModels } from "../analysis/rerouting/types.ts";
import type { FixRow, LayerRow, Verdict } from "../analysis/rerouting/verdicts.ts";
import { rerouteLabel } from "../analysis/rerouting/verdicts.ts";
import type { RunConfig } from "../config/schema.ts";
import { METHODS } from "../methods/registry.ts";
import { type CurvePoint, type LayerCell, layerHeatmap, reemergenceCurves } from "../reports/figures.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { type DraftSection, type FigureDraft, presentSection, type SectionSource } from "../reports/paper.ts";
import { type Cell, cellId } from "../runs/cell.ts";
import { runPaths, selectionKey } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { cellStage } from "../stages/cell.ts";
import { discoverStage } from "../stages/discover.ts";
import { rerouteAnalysisStage } from "../stages/reroute_analysis.ts";
import { rerouteReportStage } from "../stages/reroute_report.ts";
import { saeStage } from "../stages/sae.ts";
import { cellsOf, type Grid, type LambdaOf, latentsOnly, prolonged } from "./grid.ts";
import { unlessIncoherent } from "../reports/incoherent.ts";

/** The rerouting report as recorded. */
interface RerouteReport {
  rows: ReportRow[];
  fixes: FixRow[];
  curves: { model: string; base: number; finetune: number; epoch: number; em: number; incoherence: number }[];
  bases: { base: number; verdicts: Verdict[]; layers: LayerRow[]; analysis?: RerouteAnalysis }[];
  /** The block layer (absent from reports written before it was recorded, all at layer 2). */
  blockLayer?: number;
  /** The known-answer checks (absent from reports written before they existed). */
  planted?: PlantedOutcome[];
}

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

/** Per base seed: the re-emerged model, its retrained SAE and rediscovery, then the analysis of the grid's models. */
function rerouteStages(run: Run, cells: readonly Cell[], lambdaOf: LambdaOf): StageSpec[] {
  const cfg = run.config;
  const stages: StageSpec[] = [];
  for (const base of cfg.seeds.base) {
    const key = selectionKey(cfg, base);
    const paths = runPaths(run.profile, key);
    const reemerged = reemergedModelCell(cfg, base, lambdaOf(base));
    const model = paths.cell(cellId(reemerged, cfg));
    const seeds = new Map<number, SeedModels>();
    for (const c of cells.filter((x) => x.base === base)) {
      const models = seeds.get(c.finetune) ?? {};
      models[rerouteLabel(c.method, c.params)] = paths.cell(cellId(c, cfg));
      seeds.set(c.finetune, models);
    }
    stages.push(
      cellStage(run, reemerged),
      saeStage(run, key, cfg.discover.layer, {
        name: `base-${base}/reroute/sae`,
        model,
        dir: paths.reroute("sae"),
      }),
      discoverStage(run, key, cfg.discover.layer, {
        name: `base-${base}/reroute/discover`,
        model,
        dir: paths.reroute("discover"),
      }),
      rerouteAnalysisStage(run, key, model, seeds),
    );
  }
  return stages;
}

const REROUTE_TITLE = "Re-emergence and rerouting";

/** The rerouting section: verdicts, fixes and the per-layer table; the re-emergence curves and the layer heatmap. */
function rerouteSection(report: unknown, source: SectionSource): DraftSection {
  const reroute = report as RerouteReport;
  return presentSection(REROUTE_TITLE, source, {
    tables: [
      {
        id: "reroute-verdicts",
        caption: "One measured test per hypothesis, with its rule",
        columns: [{ key: "hypothesis", label: "hypothesis" }, { key: "verdict", label: "verdict" }, {
          key: "rule",
          label: "rule",
        }, { key: "evidence", label: "evidence" }],
        rows: reroute.bases.flatMap((b) =>
          b.verdicts.map((v) => ({
            hypothesis: v.hypothesis,
            verdict: v.hypothesis.startsWith("Re-emergence")
              ? (v.supported ? "observed" : "not observed")
              : (v.supported ? "supported" : "not supported"),
            rule: v.rule,
            evidence: Object.entries(v.evidence).map(([k, x]) => `${k} ${x === null ? "–" : x.toFixed(3)}`)
              .join("; "),
          }))
        ),
      },
      {
        id: "reroute-fixes",
        caption:
          "Fixes against prolonged BLOCK: reduction against naive of the same length; restored share of the lost reduction",
        columns: [
          { key: "method", label: "method" },
          { key: "em", label: "EM" },
          { key: "reduction", label: "reduction" },
          { key: "restored", label: "restored" },
          { key: "adherence", label: "adherence" },
          { key: "adherenceCost", label: "adherence cost" },
          { key: "incoherence", label: "incoherence" },
        ],
        rows: reroute.fixes.map((f) => ({
          method: f.method,
          em: unlessIncoherent(f.incoherence, f.em),
          reduction: unlessIncoherent(f.incoherence, {
            mean: f.reduction,
            lo: f.reductionLo,
            hi: f.reductionHi,
          }),
          restored: unlessIncoherent(f.incoherence, f.restored),
          adherence: f.adherence,
          adherenceCost: f.adherenceCost,
          incoherence: f.incoherence,
        })),
      },
      {
        id: "reroute-layers",
        caption:
          "Misalignment signal per layer (mean over seeds): diff-of-means shift, its ratio to naive-long, probe, SAE shift",
        columns: [
          { key: "model", label: "model" },
          { key: "layer", label: "layer" },
          { key: "diffmeans", label: "diff-of-means shift" },
          { key: "relative", label: "÷ naive-long" },
          { key: "probe", label: "probe" },
          { key: "saeShift", label: "SAE shift" },
        ],
        rows: reroute.bases[0].layers.map((l) => ({ ...l, layer: String(l.layer) })),
      },
      ...(reroute.planted
        ? [{
          id: "reroute-planted",
          caption:
            "Known-answer checks: each test on a planted positive (must fire) and a planted null (must not)",
          columns: [
            { key: "hypothesis", label: "hypothesis" },
            { key: "case", label: "case" },
            { key: "planted", label: "planted" },
            { key: "expected", label: "must fire" },
            { key: "fired", label: "fired" },
          ],
          rows: reroute.planted.map((o) => ({
            hypothesis: o.hypothesis,
            case: o.case,
            planted: o.planted,
            expected: o.expected ? "yes" : "no",
            fired: `${o.verdict.supported ? "yes" : "no"}${o.ok ? "" : " (WRONG)"}`,
          })),
        }]
        : []),
    ],
    figures: rerouteFigures(reroute),
  });
}

/** The re-emergence curves and the per-layer heatmap. */
function rerouteFigures(reroute: RerouteReport): FigureDraft[] {
  const points: CurvePoint[] = reroute.curves.map((c) => ({
    model: c.model,
    seed: c.finetune,
    epoch: c.epoch,
    em: c.em,
    incoherence: c.incoherence,
  }));
  const layerCells: LayerCell[] = reroute.bases[0].layers.flatMap((l) => [
    { model: l.model, layer: l.layer, measure: "diff-of-means shift ÷ naive-long", value: l.relative },
    { model: l.model, layer: l.layer, measure: "probe: share called misaligned", value: l.probe },
    { model: l.model, layer: l.layer, measure: "SAE latent shift (relative)", value: l.saeShift },
  ]);
  return [
    {
      id: "reemergence",
      caption: "EM along prolonged training: naive, BLOCK and the fixes",
      spec: reemergenceCurves(points, "Re-emergence (discovery domain)"),
    },
    {
      id: "layers",
      caption: "Per-layer misalignment signal of each model",
      spec: layerHeatmap(layerCells, "Rerouting across layers", reroute.blockLayer ?? 2),
    },
  ];
}

export const REROUTE: Grid = {
  name: "reroute",
  summary: "naive and BLOCK at both lengths, the prolonged fixes, and the rerouting analysis (H1–H3)",
  paper: {
    profile: "paper",
    title: REROUTE_TITLE,
    run: "reroute --profile paper",
  },
  plannable: false,
  check(cfg) {
    latentsOnly("reroute")(cfg);
    if (cfg.discover.layer >= cfg.model.nLayers - 1) {
      throw new RangeError(
        `Rerouting needs layers after the block layer; the block layer ${cfg.discover.layer} is the model's last (use --profile paper or reference)`,
      );
    }
  },
  cells(cfg, lambdaOf) {
    const domain = [cfg.discover.domain];
    const long = prolonged(cfg);
    const fixes = [...METHODS.values()].filter((m) => m.group === "fix").map((m) => m.name);
    // The fixes first: a concurrent `--grid reemerge` can meanwhile train the prolonged naive and BLOCK cells.
    return [
      ...[...fixes, "naive", "block"].flatMap((m) =>
        cellsOf(cfg, domain, m, (b) => ({ ...(m === "naive" ? {} : { lambda: lambdaOf(b) }), ...long }))
      ),
      ...cellsOf(cfg, domain, "naive", () => ({})),
      ...cellsOf(cfg, domain, "block", (b) => ({ lambda: lambdaOf(b) })),
    ];
  },
  stages: rerouteStages,
  reportStage: (run, ids) => rerouteReportStage(run, ids),
  section: rerouteSection,
};
