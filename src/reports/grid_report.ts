/**
 * A grid's results, grouped by (domain, method, settings) over seed pairs:
 * EM, incoherence and adherence on the evaluation split with bootstrap 95%
 * intervals (resampling base models, fine-tuning seeds within each, and
 * shared prompts), the relative EM
 * reduction against naive fine-tuning of the same seed pairs, and the
 * selection-split numbers. For a method with a strength grid, the operating
 * point is chosen on the selection split by the rule that chooses λ.
 * @module
 */
import { bootstrap, type Interval } from "../stats/bootstrap.ts";
import type { FamilyMass } from "../judges/exact.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import type { CellResult } from "../runs/cell.ts";
import { CELL_RESULT_FILE } from "../runs/file_schemas.ts";
import type { MethodParams } from "../methods/method.ts";
import { referenceMethod, strengthOf } from "../methods/registry.ts";
import type { RunConfig } from "../config/schema.ts";
import { chooseLambda } from "../stats/strength.ts";
import { isIncoherent, reductionIncoherence, unlessIncoherent } from "./incoherent.ts";

/** One group of cells that differ only in their seeds. */
export interface ReportRow {
  domain: string;
  method: string;
  params: Record<string, number>;
  cells: number;
  em: Interval;
  incoherence: Interval;
  adherence: Interval;
  /** 1 − EM/EM(naive) over the same seed pairs; null for naive itself. */
  reduction: Interval | null;
  /** The naive reference's mean incoherence over the same seed pairs (null for naive itself, or without one). */
  referenceIncoherence?: number | null;
  /** λ per base model, when the row pools base models whose selection chose different λ (params then omit it). */
  lambdas?: Record<string, number>;
  selection: { em: number; incoherence: number; adherence: number };
  /** For methods with a strength grid: whether this strength is the one chosen on the selection split. */
  chosenOnSelectionSplit: boolean | null;
  /** For prolonged cells: evaluation-split metrics along training, mean over seed pairs. */
  curve: { epoch: number; em: number; incoherence: number; adherence: number }[] | null;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const rounded = (i: Interval): Interval => ({ mean: r6(i.mean), lo: r6(i.lo), hi: r6(i.hi) });

const seedKey = (r: CellResult) => `${r.cell.base}/${r.cell.finetune}`;

/** Settings that set how long a cell trains, in the order grids write them. */
const LENGTH_KEYS = ["epochs", "curveEvery"];

/** The validated results of cells `ids` of a profile. */
export async function readCellResults(
  root: string,
  cellDir: (id: string) => string,
  ids: readonly string[],
): Promise<CellResult[]> {
  const results: CellResult[] = [];
  for (const id of ids) {
    results.push(
      await readJsonValidated(join(root, `${cellDir(id)}/result.json`), CELL_RESULT_FILE) as CellResult,
    );
  }
  return results;
}

/** How a grid report's intervals are drawn, as its report states it. */
export function gridInterval(resamples: number): string {
  return `bootstrap 95%, ${resamples} resamples over base models, fine-tuning seeds within each, and shared prompts`;
}

/** How a grid's report groups its cells. */
export interface GridReportOptions {
  /**
   * Every λ in the grid is the one each base model's selection chose (no
   * sweep): cells that differ only in λ across base models are one row, so
   * base models with different chosen λ pool into the same interval.
   */
  chosenLambda?: boolean;
}

/** Group, measure and compare a grid's cell results. */
export function gridReport(
  results: readonly CellResult[],
  cfg: RunConfig,
  opts: GridReportOptions = {},
): ReportRow[] {
  const { resamples, seed } = cfg.evaluate;
  const groups = new Map<string, CellResult[]>();
  const groupParams = (p: MethodParams) => {
    if (!opts.chosenLambda || p.lambda === undefined) return p;
    const { lambda: _, ...rest } = p;
    return rest;
  };
  for (const r of results) {
    const k = JSON.stringify([r.cell.domain, r.cell.method, groupParams(r.cell.params)]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  // The naive reference trains as long as the method: same epochs (and curve) settings, no others.
  const naiveOf = (domain: string, params: MethodParams) => {
    const length = Object.fromEntries(LENGTH_KEYS.filter((k) => k in params).map((k) => [k, params[k]]));
    return groups.get(JSON.stringify([domain, referenceMethod(), length])) ?? [];
  };
  const rows: ReportRow[] = [];
  for (const cells of groups.values()) {
    const { domain, method } = cells[0].cell;
    // Pooled base models that chose different λ: params without it, λ per base model beside.
    const perBase = new Map(cells.map((c) => [String(c.cell.base), c.cell.params.lambda]));
    const mixed = new Set(perBase.values()).size > 1;
    const params = mixed ? groupParams(cells[0].cell.params) : cells[0].cell.params;
    cells.sort((a, b) => seedKey(a).localeCompare(seedKey(b)));
    const naive = new Map(naiveOf(domain, params).map((r) => [seedKey(r), r]));
    // Items are prompt indices shared by every seed pair; each carries the method's and naive's verdicts.
    const runs = cells.map((c) =>
      c.evaluation.map((m, i) => ({ m, n: naive.get(seedKey(c))?.evaluation[i] }))
    );
    const interval = (f: (items: readonly { m: FamilyMass; n?: FamilyMass }[]) => number) =>
      rounded(
        bootstrap(runs, (rs) => rs.reduce((s, r) => s + f(r), 0) / rs.length, {
          resamples,
          seed,
          pairedItems: true,
          // Base models first, then fine-tuning seeds within each: the interval carries both spreads.
          groups: cells.map((c) => c.cell.base),
        }),
      );
    const of = (key: "em" | "incoherence" | "adherence") =>
      interval((items) => domainMetrics(items.map((x) => x.m), domain)[key]);
    const paired = method !== referenceMethod() && cells.every((c) => naive.has(seedKey(c)));
    const mean = (key: "em" | "incoherence" | "adherence") =>
      r6(cells.reduce((s, c) => s + c.metrics.selection[key], 0) / cells.length);
    rows.push({
      domain,
      method,
      params,
      cells: cells.length,
      em: of("em"),
      incoherence: of("incoherence"),
      adherence: of("adherence"),
      reduction: paired
        ? interval((items) =>
          1 -
          domainMetrics(items.map((x) => x.m), domain).em / domainMetrics(items.map((x) => x.n!), domain).em
        )
        : null,
      ...(paired
        ? {
          referenceIncoherence: r6(
            cells.reduce((s, c) => s + naive.get(seedKey(c))!.metrics.evaluation.incoherence, 0) /
              cells.length,
          ),
        }
        : {}),
      ...(mixed
        ? { lambdas: Object.fromEntries([...perBase].sort(([a], [b]) => Number(a) - Number(b))) }
        : {}),
      selection: { em: mean("em"), incoherence: mean("incoherence"), adherence: mean("adherence") },
      chosenOnSelectionSplit: null,
      curve: meanCurve(cells),
    });
  }
  markChosen(rows, cfg);
  return rows.sort((a, b) =>
    a.domain.localeCompare(b.domain) || a.method.localeCompare(b.method) ||
    compareSettings(a.params, b.params)
  );
}

/**
 * Settings in numeric order, key by key in alphabetical order (a missing key
 * first): λ 1, 3, 10, not the strings' 1, 10, 3.
 */
export function compareSettings(a: Record<string, number>, b: Record<string, number>): number {
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[k] === b[k]) continue;
    if (a[k] === undefined) return -1;
    if (b[k] === undefined) return 1;
    return a[k] - b[k];
  }
  return 0;
}

/** The mean curve over cells that all recorded one at the same epochs; null otherwise. */
function meanCurve(cells: readonly CellResult[]): ReportRow["curve"] {
  const curves = cells.map((c) => c.curve ?? []);
  if (curves[0].length === 0 || curves.some((c) => c.length !== curves[0].length)) return null;
  return curves[0].map((point, i) => ({
    epoch: point.epoch,
    em: r6(curves.reduce((s, c) => s + c[i].em, 0) / curves.length),
    incoherence: r6(curves.reduce((s, c) => s + c[i].incoherence, 0) / curves.length),
    adherence: r6(curves.reduce((s, c) => s + c[i].adherence, 0) / curves.length),
  }));
}

/** Mark, per (domain, method with a strength grid), the strength the selection-split rule chooses. */
function markChosen(rows: ReportRow[], cfg: RunConfig): void {
  // A group is one (domain, method, other settings) whose rows differ only in the strength.
  const byMethod = new Map<string, ReportRow[]>();
  for (const r of rows) {
    const strength = strengthOf(r.method);
    if (!strength || r.params[strength] === undefined) continue;
    const others = Object.entries(r.params).filter(([k]) => k !== strength).sort();
    const k = JSON.stringify([r.domain, r.method, others]);
    byMethod.set(k, [...(byMethod.get(k) ?? []), r]);
  }
  for (const group of byMethod.values()) {
    const strength = strengthOf(group[0].method)!;
    if (new Set(group.map((r) => r.params[strength])).size < 2) continue;
    const naive = rows.find((r) => r.domain === group[0].domain && r.method === referenceMethod());
    if (!naive) continue;
    const { chosen } = chooseLambda(
      group.map((r) => ({ lambda: r.params[strength], ...r.selection })),
      naive.selection,
      cfg.block,
    );
    for (const r of group) r.chosenOnSelectionSplit = r.params[strength] === chosen;
  }
}

const f3 = (x: number) => (Number.isFinite(x) ? (Math.round(x * 1000) / 1000 + 0).toFixed(3) : "–");
const ci = (i: Interval) => `${f3(i.mean)} [${f3(i.lo)}, ${f3(i.hi)}]`;

/**
 * Settings as `k=v …` (every key but `leaveOut`), λ per base model first when
 * pooled base models chose differently; "–" when there are none.
 */
export function settingsText(
  params: Record<string, number>,
  lambdas?: Record<string, number>,
  leaveOut: readonly string[] = [],
): string {
  const perBase = lambdas
    ? [`lambda=${Object.entries(lambdas).map(([b, l]) => `${l} (base ${b})`).join(", ")}`]
    : [];
  const rest = Object.entries(params).filter(([k]) => !leaveOut.includes(k)).map(([k, v]) => `${k}=${v}`);
  return [...perBase, ...rest].join(" ") || "–";
}

/** The report as a Markdown table. */
export function reportMarkdown(rows: readonly ReportRow[]): string {
  const lines = [
    "| domain | method | settings | cells | EM [95% CI] | reduction [95% CI] | incoherence | adherence | selection EM / incoh. / adh. |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.domain} | ${r.method}${r.chosenOnSelectionSplit ? " (chosen)" : ""} | ${
        settingsText(r.params, r.lambdas)
      } | ${r.cells} | ${unlessIncoherent(r.incoherence.mean, ci(r.em))} | ${
        r.reduction ? unlessIncoherent(reductionIncoherence(r), ci(r.reduction)) : "–"
      } | ${f3(r.incoherence.mean)} | ${f3(r.adherence.mean)} | ${
        unlessIncoherent(r.selection.incoherence, f3(r.selection.em))
      } / ${f3(r.selection.incoherence)} / ${f3(r.selection.adherence)} |`
    ),
  ];
  for (const r of rows.filter((x) => x.curve)) {
    lines.push(
      "",
      `${r.domain} ${r.method} ${settingsText(r.params, r.lambdas)}, along training:`,
      "",
      "| epoch | EM | incoherence | adherence |",
      "| --- | --- | --- | --- |",
      ...r.curve!.map((p) =>
        `| ${p.epoch} | ${isIncoherent(p.incoherence) ? "incoherent" : f3(p.em)} | ${f3(p.incoherence)} | ${
          f3(p.adherence)
        } |`
      ),
    );
  }
  return lines.join("\n");
}
