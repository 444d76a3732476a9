/**
 * Grid `main`: every fine-tuning domain, naive, BLOCK and the random
 * control (each draw), over every seed pair: the paper's headline table.
 * @module
 */
import { domainBars } from "../reports/figures.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { presentSection } from "../reports/paper.ts";
import { gridReportStage } from "../stages/grid_report.ts";
import { cellsOf, type Grid, methodCells } from "./grid.ts";
import { comparedReadouts, READOUTS } from "../runs/readouts.ts";
import type { RunConfig } from "../config/schema.ts";
import type { ReadoutAccount } from "../analysis/readouts.ts";
import { runPaths, selectionKey } from "../runs/paths.ts";
import { readoutAccountStage } from "../stages/readout_account.ts";
import type { Table } from "../reports/tables.ts";
import {
  INCOHERENT,
  isIncoherent,
  leftOutNote,
  reductionIncoherence,
  unlessIncoherent,
} from "../reports/incoherent.ts";

/** The base seeds whose readout account the main grid measures: all of them when it compares readouts. */
const readoutBases = (cfg: RunConfig) => (cfg.block.compareReadouts ? cfg.seeds.base : []);

export const MAIN: Grid = {
  name: "main",
  summary: "every fine-tuning domain: naive, BLOCK, random latents (each draw)",
  paper: { profile: "paper", title: "Main results per domain" },
  plannable: true,
  everyBaseModel: true,
  readouts: comparedReadouts,
  check(cfg) {
    if (cfg.block.compareReadouts && cfg.discover.features !== "sae") {
      throw new RangeError(
        `block.compareReadouts compares two readouts of SAE latents; it needs discover.features=sae, got '${cfg.discover.features}'`,
      );
    }
  },
  cells: (cfg, lambdaOf) => [
    ...cellsOf(cfg, cfg.finetune.domains, "naive", () => ({})),
    ...cellsOf(cfg, cfg.finetune.domains, "block", (b) => ({ lambda: lambdaOf(b) })),
    ...methodCells(cfg, cfg.finetune.domains, "random", lambdaOf),
    // The other readout, at its own λ, with its own random control.
    ...comparedReadouts(cfg).slice(1).flatMap((r) => [
      ...cellsOf(cfg, cfg.finetune.domains, `block-${r}`, (b) => ({ lambda: lambdaOf(b, r) })),
      ...methodCells(cfg, cfg.finetune.domains, `random-${r}`, (b) => lambdaOf(b, r)),
    ]),
  ],
  // With both readouts compared, each base model's account of how much of the EM shift each readout's span holds.
  stages: (run) => readoutBases(run.config).map((b) => readoutAccountStage(run, selectionKey(run.config, b))),
  reportStage: (run, ids) =>
    gridReportStage(run, "main", ids, {
      chosenLambda: true,
      attach: run.config.block.compareReadouts
        ? {
          readouts: readoutBases(run.config).map((b) =>
            runPaths(run.profile, selectionKey(run.config, b)).readouts
          ),
        }
        : {},
    }),
  section(report, source) {
    const main = report as {
      rows: ReportRow[];
      byBase?: { base: number; rows: ReportRow[] }[];
      readouts?: (ReadoutAccount & { base: number })[];
    };
    const domains = [...new Set(main.rows.map((r) => r.domain))];
    const of = (d: string, m: string) => main.rows.filter((r) => r.domain === d && r.method === m);
    // With block.compareReadouts, the other readout's rows are block-<readout> and random-<readout>.
    const other = READOUTS.find((r) => main.rows.some((row) => row.method === `block-${r}`));
    const shown = <T>(r: ReportRow | undefined, v: T | undefined) =>
      r && v !== undefined ? unlessIncoherent(r.incoherence.mean, v) : null;
    // One incoherent draw makes the draws' mean reduction meaningless.
    const meanReduction = (draws: ReportRow[]) =>
      draws.some((r) => isIncoherent(reductionIncoherence(r)))
        ? INCOHERENT
        : draws.length
        ? draws.reduce((s, r) => s + (r.reduction?.mean ?? Number.NaN), 0) / draws.length
        : null;
    const rows = domains.map((d) => {
      const [naive] = of(d, "naive"), [block] = of(d, "block");
      const [otherBlock] = other ? of(d, `block-${other}`) : [];
      return {
        domain: d,
        naive: shown(naive, naive?.em),
        block: shown(block, block?.em),
        reduction: block?.reduction ? unlessIncoherent(reductionIncoherence(block), block.reduction) : null,
        random: meanReduction(of(d, "random")),
        ...(other
          ? {
            otherReduction: otherBlock?.reduction
              ? unlessIncoherent(reductionIncoherence(otherBlock), otherBlock.reduction)
              : null,
            otherRandom: meanReduction(of(d, `random-${other}`)),
          }
          : {}),
        adherence: block ? `${naive?.adherence.mean.toFixed(3)} → ${block.adherence.mean.toFixed(3)}` : null,
        incoherence: block
          ? `${naive?.incoherence.mean.toFixed(3)} → ${block.incoherence.mean.toFixed(3)}`
          : null,
      };
    });
    const condition = (r: ReportRow) =>
      r.method.startsWith("random") ? `${r.method} ${r.params.draw}` : r.method;
    const bars = main.rows.filter((r) => !isIncoherent(r.incoherence.mean)).map((r) => ({
      domain: r.domain,
      condition: condition(r),
      em: r.em,
    }));
    const leftOut = main.rows.filter((r) => isIncoherent(r.incoherence.mean)).map((r) =>
      `${r.domain} ${condition(r)}`
    );
    return presentSection(this.paper.title, source, {
      tables: [
        {
          id: "main",
          caption:
            "EM per fine-tuning domain: naive, BLOCK and random latents (mean reduction of the draws); 95% CIs",
          columns: [
            { key: "domain", label: "domain" },
            { key: "naive", label: "naive EM" },
            { key: "block", label: "BLOCK EM" },
            { key: "reduction", label: "reduction" },
            { key: "random", label: "random-latent reduction" },
            ...(other
              ? [
                { key: "otherReduction", label: `reduction, ${other} readout` },
                { key: "otherRandom", label: `random-latent reduction, ${other} readout` },
              ]
              : []),
            { key: "adherence", label: "adherence naive → BLOCK" },
            { key: "incoherence", label: "incoherence naive → BLOCK" },
          ],
          rows,
        },
        ...(main.byBase ? [baseTable(main.byBase, other)] : []),
        ...(main.readouts ? [readoutTable(main.readouts)] : []),
      ],
      figures: [{
        id: "domains",
        caption: "EM per fine-tuning domain and condition",
        spec: domainBars(bars, "EM per fine-tuning domain (paper profile)", leftOutNote(leftOut)),
      }],
    });
  },
};

/** Per base model: the share of the EM shift inside each readout's span of the selected latents and of the random sets. */
function readoutTable(accounts: readonly (ReadoutAccount & { base: number })[]): Table {
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    id: "main-readouts",
    caption:
      "Why one readout blocks: the share of the EM shift (discovery model − base, block site, selection split) inside the selected latents' decoder and encoder spans, and inside the random controls' (mean over draws); chance is n/d",
    columns: [
      { key: "base", label: "base model" },
      { key: "latents", label: "latents" },
      { key: "chance", label: "chance" },
      { key: "decoder", label: "decoder span" },
      { key: "encoder", label: "encoder span" },
      { key: "randomDecoder", label: "random decoder span" },
      { key: "randomEncoder", label: "random encoder span" },
    ],
    rows: accounts.map((a) => ({
      base: String(a.base),
      latents: String(a.latents),
      chance: a.chance,
      decoder: a.selected.decoder,
      encoder: a.selected.encoder,
      randomDecoder: mean(a.random.map((r) => r.decoder)),
      randomEncoder: mean(a.random.map((r) => r.encoder)),
    })),
  };
}

/** Per base model: BLOCK's and the random control's mean reduction over domains (and the other readout's). */
function baseTable(byBase: readonly { base: number; rows: ReportRow[] }[], other: string | undefined): Table {
  const meanOf = (rows: readonly ReportRow[], method: string) => {
    const of = rows.filter((r) => r.method === method);
    if (of.length === 0) return null;
    if (of.some((r) => !r.reduction)) return null;
    if (of.some((r) => isIncoherent(reductionIncoherence(r)))) return INCOHERENT;
    return of.reduce((s, r) => s + r.reduction!.mean, 0) / of.length;
  };
  return {
    id: "main-bases",
    caption:
      "Each base model apart: mean reduction over domains (and draws) of BLOCK and of the random control",
    columns: [
      { key: "base", label: "base model" },
      { key: "block", label: "BLOCK" },
      { key: "random", label: "random latents" },
      ...(other
        ? [{ key: "otherBlock", label: `BLOCK, ${other} readout` }, {
          key: "otherRandom",
          label: `random, ${other} readout`,
        }]
        : []),
    ],
    rows: byBase.map((b) => ({
      base: String(b.base),
      block: meanOf(b.rows, "block"),
      random: meanOf(b.rows, "random"),
      ...(other
        ? { otherBlock: meanOf(b.rows, `block-${other}`), otherRandom: meanOf(b.rows, `random-${other}`) }
        : {}),
    })),
  };
}
