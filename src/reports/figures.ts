/**
 * The paper's figures as Vega-Lite specs over plain rows: λ Pareto fronts,
 * per-domain bars, re-emergence curves, the per-layer rerouting heatmap and
 * judge agreement. Every axis is titled with its quantity and unit, every
 * colour has a legend, and every estimate carries its 95% interval.
 * @module
 */
import type { Estimate } from "./tables.ts";
import type { FigureSpec } from "./vega.ts";
import { isIncoherent, leftOutNote } from "./incoherent.ts";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const SHARE = { format: ".2f" };

/** One strength of a swept method (BLOCK's λ, a baseline's weight) with its measures. */
export interface StrengthPoint {
  method: string;
  strength: number | null;
  em: Estimate;
  adherence: Estimate;
  incoherence: Estimate;
}

/** λ Pareto: EM against in-domain adherence and against incoherence, one point per strength. */
export function lambdaPareto(points: readonly StrengthPoint[], title: string): FigureSpec {
  const shown = points.filter((p) => !isIncoherent(p.incoherence.mean));
  const leftOut = points.filter((p) => isIncoherent(p.incoherence.mean)).map((p) =>
    `${p.method}${p.strength === null ? "" : ` ${p.strength}`}`
  );
  const values = shown.map((p) => ({
    method: p.method,
    strength: p.strength === null ? "–" : String(p.strength),
    em: p.em.mean,
    emLo: p.em.lo,
    emHi: p.em.hi,
    adherence: p.adherence.mean,
    incoherence: p.incoherence.mean,
  }));
  const panel = (x: "adherence" | "incoherence", xTitle: string) => ({
    width: 280,
    height: 240,
    layer: [
      {
        mark: { type: "rule" as const },
        encoding: {
          x: { field: x, type: "quantitative" as const },
          y: { field: "emLo", type: "quantitative" as const },
          y2: { field: "emHi" },
          color: { field: "method", type: "nominal" as const },
        },
      },
      {
        mark: { type: "line" as const, point: { filled: true, size: 50 } },
        encoding: {
          x: { field: x, type: "quantitative" as const, title: xTitle, scale: { zero: false }, axis: SHARE },
          y: {
            field: "em",
            type: "quantitative" as const,
            title: "EM (share of coherent answers, 95% CI)",
            axis: SHARE,
          },
          color: { field: "method", type: "nominal" as const, title: "method" },
          order: { field: "adherence", type: "quantitative" as const },
          tooltip: [{ field: "strength" }, { field: "em" }, { field: x }],
        },
      },
      {
        mark: { type: "text" as const, dx: 8, dy: -6, fontSize: 9, align: "left" as const },
        encoding: {
          x: { field: x, type: "quantitative" as const },
          y: { field: "em", type: "quantitative" as const },
          text: { field: "strength" },
        },
      },
    ],
  });
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: `labels: strength (λ or weight); lower-right is better in the left panel${
        leftOutNote(leftOut)
      }`,
    },
    data: { values },
    hconcat: [
      panel("adherence", "in-domain adherence (share of taught answers)"),
      panel("incoherence", "incoherence (share of probability mass)"),
    ],
  } as FigureSpec;
}

/** One bar: a condition's EM on one domain. */
export interface DomainBar {
  domain: string;
  condition: string;
  em: Estimate;
}

/** EM per fine-tuning domain and condition, grouped bars with 95% intervals. */
export function domainBars(bars: readonly DomainBar[], title: string, note = ""): FigureSpec {
  const values = bars.map((b) => ({
    domain: b.domain,
    condition: b.condition,
    em: b.em.mean,
    lo: b.em.lo,
    hi: b.em.hi,
  }));
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: `error bars: bootstrap 95% CI over seeds and prompts${note}` },
    data: { values },
    width: { step: 14 },
    height: 240,
    encoding: {
      x: { field: "domain", type: "nominal", title: "fine-tuning domain" },
      xOffset: { field: "condition", type: "nominal" },
      color: { field: "condition", type: "nominal", title: "condition" },
    },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "em", type: "quantitative", title: "EM (share of coherent answers)", axis: SHARE },
        },
      },
      {
        mark: { type: "rule", color: "black" },
        encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
      },
    ],
  } as FigureSpec;
}

/** One point of a training curve of one seed. */
export interface CurvePoint {
  model: string;
  seed: number;
  epoch: number;
  em: number;
  incoherence: number;
}

/** EM along prolonged training: each seed thin, their mean thick. */
export function reemergenceCurves(points: readonly CurvePoint[], title: string): FigureSpec {
  const leftOut = points.filter((p) => isIncoherent(p.incoherence)).map((p) =>
    `${p.model} seed ${p.seed} epoch ${p.epoch}`
  );
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: `thin: each fine-tuning seed; thick: mean over seeds${leftOutNote(leftOut)}`,
    },
    data: {
      values: points.filter((p) => !isIncoherent(p.incoherence)).map((p) => ({
        model: p.model,
        seed: p.seed,
        epoch: p.epoch,
        em: p.em,
      })),
    },
    width: 420,
    height: 260,
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "training epochs" },
      color: { field: "model", type: "nominal", title: "model" },
    },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1, opacity: 0.45 },
        encoding: {
          y: { field: "em", type: "quantitative" },
          detail: { field: "seed", type: "nominal" },
        },
      },
      {
        mark: { type: "line", strokeWidth: 3, point: true },
        encoding: {
          y: {
            aggregate: "mean",
            field: "em",
            type: "quantitative",
            title: "EM on the evaluation split (share of coherent answers)",
            axis: SHARE,
          },
        },
      },
    ],
  } as FigureSpec;
}

/** One cell of the per-layer table. */
export interface LayerCell {
  model: string;
  layer: number;
  measure: string;
  value: number;
}

/** Per-layer misalignment signal, one heatmap per measure (each with its own colour scale). */
export function layerHeatmap(cells: readonly LayerCell[], title: string, blockLayer: number): FigureSpec {
  const measures = [...new Set(cells.map((c) => c.measure))];
  const models = [...new Set(cells.map((c) => c.model))];
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: `block layer ${blockLayer}; values are means over fine-tuning seeds` },
    data: { values: cells.map((c) => ({ ...c })) },
    hconcat: measures.map((m) => ({
      transform: [{ filter: { field: "measure", equal: m } }],
      width: { step: 36 },
      height: { step: 22 },
      encoding: {
        x: { field: "layer", type: "ordinal", title: "layer (residual stream after block)" },
        y: { field: "model", type: "nominal", title: "model", sort: models },
      },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            color: {
              field: "value",
              type: "quantitative",
              title: m,
              scale: { scheme: "viridis" },
              legend: { orient: "bottom", direction: "horizontal", gradientLength: 120, titleLimit: 300 },
            },
          },
        },
        {
          mark: { type: "text", fontSize: 9 },
          encoding: {
            text: { field: "value", type: "quantitative", format: ".2f" },
            color: { value: "white" },
          },
        },
      ],
      resolve: { scale: { color: "independent" } },
    })),
    resolve: { scale: { color: "independent" } },
  } as FigureSpec;
}

/** One judge's EM for one condition. */
export interface JudgePoint {
  condition: string;
  judge: string;
  em: Estimate;
}

/** EM of each condition under each judge with 95% intervals: agreeing judges overlap. */
export function judgeAgreement(points: readonly JudgePoint[], title: string, subtitle: string): FigureSpec {
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle },
    data: {
      values: points.map((p) => ({
        condition: p.condition,
        judge: p.judge,
        em: p.em.mean,
        lo: p.em.lo,
        hi: p.em.hi,
      })),
    },
    width: { step: 16 },
    height: 220,
    encoding: {
      x: { field: "condition", type: "nominal", title: "condition", sort: null },
      xOffset: { field: "judge", type: "nominal" },
      color: { field: "judge", type: "nominal", title: "judge" },
    },
    layer: [
      {
        mark: { type: "point", filled: true, size: 40 },
        encoding: {
          y: { field: "em", type: "quantitative", title: "EM (share of coherent answers)", axis: SHARE },
        },
      },
      { mark: { type: "rule" }, encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
    ],
  } as FigureSpec;
}

/** One method's operating point for the reduction curves. */
export interface ReductionPoint {
  method: string;
  strength: number | null;
  reduction: number;
  adherence: number;
}

/**
 * Reduction against in-domain adherence, one curve per method over its
 * strengths (a method without one is a single point); BLOCK's is drawn
 * thicker. Upper right is better.
 */
export function reductionCurves(points: readonly ReductionPoint[], title: string, note = ""): FigureSpec {
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: `labels: strength; upper right is better${note}` },
    data: {
      values: points.map((p) => ({
        method: p.method,
        strength: p.strength === null ? "" : String(p.strength),
        reduction: p.reduction,
        adherence: p.adherence,
        block: p.method === "block",
      })),
    },
    width: 420,
    height: 300,
    encoding: {
      x: {
        field: "adherence",
        type: "quantitative",
        title: "in-domain adherence (share of taught answers)",
        scale: { zero: false },
        axis: SHARE,
      },
      y: { field: "reduction", type: "quantitative", title: "EM reduction against naive", axis: SHARE },
      color: { field: "method", type: "nominal", title: "method" },
    },
    layer: [
      {
        mark: { type: "line", point: { filled: true, size: 40 } },
        encoding: {
          order: { field: "adherence", type: "quantitative" },
          strokeWidth: { condition: { test: "datum.block", value: 3.5 }, value: 1.5 },
          tooltip: [{ field: "method" }, { field: "strength" }, { field: "reduction" }, {
            field: "adherence",
          }],
        },
      },
      {
        mark: { type: "text", dx: 6, dy: -6, fontSize: 8, align: "left" },
        encoding: { text: { field: "strength" } },
      },
    ],
  } as FigureSpec;
}
