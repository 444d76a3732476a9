/**
 * Stage `report`: every table and figure of the paper from the recorded
 * experiment reports, written as Markdown, CSV and LaTeX tables and SVG
 * figures under `results/report/`, and one page `results/report.html` with
 * the provenance (commit, lock hash, seeds, backend, adapter). A result
 * that has not been computed yet is named on the page with the command that
 * computes it.
 * @module
 */
import { join } from "node:path";
import { readJson, writeFileAtomic } from "../core/atomic.ts";
import { sha256File } from "../core/hash.ts";
import {
  type CurvePoint,
  domainBars,
  judgeAgreement,
  type JudgePoint,
  lambdaPareto,
  type LayerCell,
  layerHeatmap,
  reemergenceCurves,
  type StrengthPoint,
} from "../reports/figures.ts";
import { reportHtml, type ReportSection } from "../reports/html.ts";
import { type Table, tableCsv, tableLatex, tableMarkdown } from "../reports/tables.ts";
import { type FigureSpec, renderSvg } from "../reports/vega.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import type { Manifest, StageSpec } from "../runs/stage.ts";
import type { FixRow, LayerRow, Verdict } from "../reports/reroute.ts";

/** Where each source of the report lives, by profile. */
export const REPORT_SOURCES = {
  main: {
    profile: "paper",
    path: "results/paper/experiments/main",
    run: "experiment --profile paper --grid main",
  },
  lambda: {
    profile: "paper",
    path: "results/paper/experiments/lambda",
    run: "experiment --profile paper --grid lambda",
  },
  k: { profile: "paper", path: "results/paper/experiments/k", run: "experiment --profile paper --grid k" },
  ablations: {
    profile: "paper",
    path: "results/paper/experiments/ablations",
    run: "experiment --profile paper --grid ablations",
  },
  baselines: {
    profile: "paper",
    path: "results/paper/experiments/baselines",
    run: "experiment --profile paper --grid baselines",
  },
  reemerge: {
    profile: "paper",
    path: "results/paper/experiments/reemerge",
    run: "experiment --profile paper --grid reemerge",
  },
  reroute: {
    profile: "reference",
    path: "results/reference/experiments/reroute",
    run: "reroute --profile reference",
  },
  judges: { profile: "smoke", path: "results/smoke/evaluate", run: "reproduce --profile smoke" },
} as const;

type SourceName = keyof typeof REPORT_SOURCES;
const reportFile = (name: SourceName) =>
  `${REPORT_SOURCES[name].path}/${name === "judges" ? "metrics.json" : "report.json"}`;

/** A grid report as recorded. */
interface GridReport {
  rows: ReportRow[];
}

/** The rerouting report as recorded. */
interface RerouteReport {
  rows: ReportRow[];
  fixes: FixRow[];
  curves: { model: string; base: number; finetune: number; epoch: number; em: number }[];
  bases: { base: number; verdicts: Verdict[]; layers: LayerRow[] }[];
}

interface JudgeMetrics {
  domains: {
    domain: string;
    conditions: {
      name: string;
      judges: Record<string, { em: { mean: number; lo: number; hi: number } }>;
      kappaGrammarVsLearned: number | null;
    }[];
  }[];
}

const settings = (p: Record<string, number>) =>
  Object.entries(p).filter(([k]) => k !== "curveEvery").map(([k, v]) => `${k}=${v}`).join(" ") || "–";

const strength = (r: ReportRow) => r.params.lambda ?? r.params.weight ?? r.params.alpha ?? null;

/** A figure before rendering. */
export interface FigureDraft {
  id: string;
  caption: string;
  spec: FigureSpec;
}

/** A page section whose figures are still specs. */
export type DraftSection = Omit<ReportSection, "figures"> & { figures: FigureDraft[] };

/** Tables and figures of the paper from the sources that exist under `root`. */
export async function paperSections(root: string): Promise<{ sections: DraftSection[]; missing: string[] }> {
  const load = async <T>(name: SourceName): Promise<T | null> => {
    try {
      return await readJson<T>(join(root, reportFile(name)));
    } catch {
      return null;
    }
  };
  const sections: DraftSection[] = [];
  const missing: string[] = [];
  const section = (title: string, name: SourceName, tables: Table[], figures: FigureDraft[]) => {
    const { path, profile } = REPORT_SOURCES[name];
    sections.push({ title, notes: [`Source: ${path}/ (profile ${profile}).`], tables, figures });
  };
  const absent = (title: string, name: SourceName) => {
    missing.push(name);
    sections.push({
      title,
      notes: [`Not computed yet: run \`deno task ${REPORT_SOURCES[name].run}\`.`],
      figures: [],
    });
  };

  const main = await load<GridReport>("main");
  if (main) {
    const domains = [...new Set(main.rows.map((r) => r.domain))];
    const of = (d: string, m: string) => main.rows.filter((r) => r.domain === d && r.method === m);
    const rows = domains.map((d) => {
      const [naive] = of(d, "naive"), [block] = of(d, "block");
      const random = of(d, "random").map((r) => r.reduction?.mean ?? Number.NaN);
      return {
        domain: d,
        naive: naive?.em ?? null,
        block: block?.em ?? null,
        reduction: block?.reduction ?? null,
        random: random.length ? random.reduce((s, x) => s + x, 0) / random.length : null,
        adherence: block ? `${naive?.adherence.mean.toFixed(3)} → ${block.adherence.mean.toFixed(3)}` : null,
        incoherence: block
          ? `${naive?.incoherence.mean.toFixed(3)} → ${block.incoherence.mean.toFixed(3)}`
          : null,
      };
    });
    const bars = main.rows.map((r) => ({
      domain: r.domain,
      condition: r.method === "random" ? `random ${r.params.draw}` : r.method,
      em: r.em,
    }));
    section("Main results per domain", "main", [{
      id: "main",
      caption:
        "EM per fine-tuning domain: naive, BLOCK and random latents (mean reduction of the draws); 95% CIs",
      columns: [
        { key: "domain", label: "domain" },
        { key: "naive", label: "naive EM" },
        { key: "block", label: "BLOCK EM" },
        { key: "reduction", label: "reduction" },
        { key: "random", label: "random-latent reduction" },
        { key: "adherence", label: "adherence naive → BLOCK" },
        { key: "incoherence", label: "incoherence naive → BLOCK" },
      ],
      rows,
    }], [{
      id: "domains",
      caption: "EM per fine-tuning domain and condition",
      spec: domainBars(bars, "EM per fine-tuning domain (paper profile)"),
    }]);
  } else absent("Main results per domain", "main");

  const sweep = async (name: "lambda" | "k", key: "lambda" | "k", label: string) => {
    const rep = await load<GridReport>(name);
    const title = `${label} sweep`;
    if (!rep) return absent(title, name);
    const rows = rep.rows.map((r) => ({
      [key]: r.method === "naive" ? "naive" : String(r.params[key]),
      em: r.em,
      reduction: r.reduction,
      adherence: r.adherence,
      incoherence: r.incoherence,
      chosen: r.chosenOnSelectionSplit ? "chosen" : "",
    }));
    const points: StrengthPoint[] = rep.rows.map((r) => ({
      method: r.method === "naive" ? "naive" : "BLOCK",
      strength: r.method === "naive" ? null : r.params[key],
      em: r.em,
      adherence: r.adherence,
      incoherence: r.incoherence,
    }));
    section(
      title,
      name,
      [{
        id: name,
        caption:
          `BLOCK on the discovery domain over ${label}; "chosen": the selection-split rule's pick; 95% CIs`,
        columns: [
          { key, label },
          { key: "em", label: "EM" },
          { key: "reduction", label: "reduction" },
          { key: "adherence", label: "adherence" },
          { key: "incoherence", label: "incoherence" },
          { key: "chosen", label: "selection split" },
        ],
        rows,
      }],
      name === "lambda"
        ? [{
          id: "lambda-pareto",
          caption: "λ Pareto: EM against adherence and incoherence",
          spec: lambdaPareto(points, "λ sweep on medical (paper profile)"),
        }]
        : [],
    );
  };
  await sweep("lambda", "lambda", "λ");
  await sweep("k", "k", "k");

  for (const [name, title] of [["ablations", "Ablations"], ["baselines", "Baselines"]] as const) {
    const rep = await load<GridReport>(name);
    if (!rep) {
      absent(title, name);
      continue;
    }
    const f: FigureDraft[] = [];
    if (name === "baselines") {
      f.push({
        id: "baselines-pareto",
        caption: "Baselines with a strength against BLOCK: EM against adherence and incoherence",
        spec: lambdaPareto(
          rep.rows.filter((r) => ["kl", "ldifs", "steer", "naive", "block"].includes(r.method)).map((r) => ({
            method: r.method,
            strength: strength(r),
            em: r.em,
            adherence: r.adherence,
            incoherence: r.incoherence,
          })),
          "In-training baselines (paper profile)",
        ),
      });
    }
    section(title, name, [{
      id: name,
      caption: `${title} on medical; reduction against naive of the same seeds; 95% CIs`,
      columns: [
        { key: "method", label: "method" },
        { key: "settings", label: "settings" },
        { key: "em", label: "EM" },
        { key: "reduction", label: "reduction" },
        { key: "adherence", label: "adherence" },
        { key: "incoherence", label: "incoherence" },
        { key: "chosen", label: "selection split" },
      ],
      rows: rep.rows.map((r) => ({
        method: r.method,
        settings: settings(r.params),
        em: r.em,
        reduction: r.reduction,
        adherence: r.adherence,
        incoherence: r.incoherence,
        chosen: r.chosenOnSelectionSplit ? "chosen" : "",
      })),
    }], f);
  }

  const reroute = await load<RerouteReport>("reroute");
  const reemerge = await load<GridReport>("reemerge");
  if (reemerge) {
    const withCurve = reemerge.rows.filter((r) => r.curve);
    const epochs = withCurve[0]?.curve?.map((p) => p.epoch) ?? [];
    section("Re-emergence under prolonged training (2-layer organism)", "reemerge", [{
      id: "reemerge-paper",
      caption: "EM along prolonged training, mean over seeds, block at the final layer",
      columns: [
        { key: "epoch", label: "epoch" },
        ...withCurve.map((r) => ({ key: r.method, label: `${r.method} EM` })),
      ],
      rows: epochs.map((epoch, i) => ({
        epoch: String(epoch),
        ...Object.fromEntries(withCurve.map((r) => [r.method, r.curve![i].em])),
      })),
    }], []);
  } else absent("Re-emergence under prolonged training (2-layer organism)", "reemerge");
  if (reroute) {
    const points: CurvePoint[] = reroute.curves.map((c) => ({
      model: c.model,
      seed: c.finetune,
      epoch: c.epoch,
      em: c.em,
    }));
    const layerCells: LayerCell[] = reroute.bases[0].layers.flatMap((l) => [
      { model: l.model, layer: l.layer, measure: "diff-of-means shift ÷ naive-long", value: l.relative },
      { model: l.model, layer: l.layer, measure: "probe: share called misaligned", value: l.probe },
      { model: l.model, layer: l.layer, measure: "SAE latent shift (relative)", value: l.saeShift },
    ]);
    section("Re-emergence and rerouting (4-layer reference organism)", "reroute", [
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
          em: f.em,
          reduction: { mean: f.reduction, lo: f.reductionLo, hi: f.reductionHi },
          restored: f.restored,
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
    ], [
      {
        id: "reemergence",
        caption: "EM along prolonged training: naive, BLOCK and the fixes",
        spec: reemergenceCurves(points, "Re-emergence (reference organism, medical)"),
      },
      {
        id: "layers",
        caption: "Per-layer misalignment signal of each model",
        spec: layerHeatmap(layerCells, "Rerouting across layers (reference organism)", 2),
      },
    ]);
  } else absent("Re-emergence and rerouting (4-layer reference organism)", "reroute");

  const judges = await load<JudgeMetrics>("judges");
  if (judges) {
    const d = judges.domains[0];
    const points: JudgePoint[] = d.conditions.flatMap((c) =>
      Object.entries(c.judges).map(([judge, m]) => ({
        condition: c.name,
        judge: judge === "grammar" ? "sampling + grammar" : judge,
        em: m.em,
      }))
    );
    section("Judge agreement", "judges", [{
      id: "judges",
      caption:
        `EM under each judge (${d.domain} fine-tune), and Cohen's κ of the learned judge against the grammar on sampled answers`,
      columns: [
        { key: "condition", label: "condition" },
        { key: "exact", label: "exact" },
        { key: "grammar", label: "sampling + grammar" },
        { key: "learned", label: "learned" },
        { key: "kappa", label: "κ learned vs grammar" },
      ],
      rows: d.conditions.map((c) => ({
        condition: c.name,
        exact: c.judges.exact?.em ?? null,
        grammar: c.judges.grammar?.em ?? null,
        learned: c.judges.learned?.em ?? null,
        kappa: c.kappaGrammarVsLearned,
      })),
    }], [{
      id: "judges",
      caption: "EM of each condition under the three judges",
      spec: judgeAgreement(
        points,
        `Judge agreement (smoke profile, ${d.domain})`,
        "error bars: bootstrap 95% CI",
      ),
    }]);
  } else absent("Judge agreement", "judges");
  return { sections, missing };
}

/** The commit checked out under `root`, read from `.git` without running git; null outside a checkout. */
export async function gitCommit(root: string): Promise<string | null> {
  try {
    const head = (await Deno.readTextFile(join(root, ".git/HEAD"))).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    try {
      return (await Deno.readTextFile(join(root, ".git", ref))).trim();
    } catch {
      const packed = await Deno.readTextFile(join(root, ".git/packed-refs"));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0] ?? null;
    }
  } catch {
    return null;
  }
}

/** The report stage: reads what exists under `root`, writes `results/report/` and `results/report.html`. */
export function paperReportStage(root: string): StageSpec {
  const dir = "results/report";
  const sources = (Object.keys(REPORT_SOURCES) as SourceName[]).map(reportFile);
  return {
    name: "report",
    dir,
    config: { sources: REPORT_SOURCES },
    seeds: {},
    // Inputs are the sources that exist now; a missing one is named on the page.
    inputs: sources.filter((p) => {
      try {
        Deno.statSync(join(root, p));
        return true;
      } catch {
        return false;
      }
    }),
    code: import.meta.url,
    run: async () => {
      const { sections: drafts, missing } = await paperSections(root);
      const written: string[] = [];
      const write = async (path: string, text: string) => {
        await writeFileAtomic(join(root, path), text);
        written.push(path);
      };
      const sections: ReportSection[] = [];
      for (const d of drafts) {
        for (const t of d.tables ?? []) {
          await write(`${dir}/tables/${t.id}.md`, tableMarkdown(t) + "\n");
          await write(`${dir}/tables/${t.id}.csv`, tableCsv(t));
          await write(`${dir}/tables/${t.id}.tex`, tableLatex(t) + "\n");
        }
        const figures = [];
        for (const f of d.figures) {
          const svg = await renderSvg(f.spec);
          await write(`${dir}/figures/${f.id}.svg`, svg);
          await write(`${dir}/figures/${f.id}.vl.json`, JSON.stringify(f.spec, null, 1) + "\n");
          figures.push({ id: f.id, caption: f.caption, svg });
        }
        sections.push({ ...d, figures });
      }
      const manifests: Record<string, unknown> = {};
      for (const [name, src] of Object.entries(REPORT_SOURCES)) {
        try {
          const m = await readJson<Manifest>(join(root, src.path, "manifest.json"));
          manifests[name] = {
            seeds: m.seeds,
            backend: m.backend.name,
            adapter: m.backend.adapter,
            code: m.codeHash.slice(0, 12),
          };
        } catch {
          // Missing sources are listed on the page already.
        }
      }
      const provenance = {
        commit: await gitCommit(root) ?? "unknown (not a git checkout)",
        "deno.lock sha256": await sha256File(join(root, "deno.lock")).catch(() => "missing"),
        "not computed": missing.length ? missing.join(", ") : "none",
        ...Object.fromEntries(
          Object.entries(manifests).map(([k, v]) => [`${k}: seeds, backend, adapter, code`, v]),
        ),
      };
      await write(
        "results/report.html",
        reportHtml("BLOCK-EM reproduced on the blockem model organism", sections, provenance),
      );
      return written;
    },
  };
}
