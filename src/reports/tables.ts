/**
 * Paper tables as data, written three ways: Markdown (README, reports),
 * CSV (analysis) and LaTeX with booktabs rules (papers). Numbers with an
 * interval print as mean [lo, hi], as in the reports.
 * @module
 */
import { toCsv } from "../core/csv.ts";

/** A mean with its 95% interval. */
export interface Estimate {
  mean: number;
  lo: number;
  hi: number;
}

/** One cell: text, a number, an estimate, or empty. */
export type TableValue = string | number | Estimate | null;

/** A table: a caption, labelled columns and rows keyed by column. */
export interface Table {
  id: string;
  caption: string;
  columns: { key: string; label: string }[];
  rows: Record<string, TableValue>[];
  /** Decimal places of numbers (default 3). */
  digits?: number;
}

const isEstimate = (v: TableValue): v is Estimate => typeof v === "object" && v !== null;

/** A number rounded, an undefined one (null or not finite, as JSON gives it back) as an en dash. */
const fixed = (x: number | null, digits: number) =>
  x === null || !Number.isFinite(x) ? "–" : x.toFixed(digits);

/** A cell as plain text: numbers rounded, estimates as `mean [lo, hi]`, undefined or empty as an en dash. */
export function formatValue(v: TableValue, digits = 3): string {
  if (v === null || typeof v === "number") return fixed(v, digits);
  if (isEstimate(v)) {
    return v.mean === null || !Number.isFinite(v.mean)
      ? "–"
      : `${fixed(v.mean, digits)} [${fixed(v.lo, digits)}, ${fixed(v.hi, digits)}]`;
  }
  return v;
}

/** GitHub-flavoured Markdown, caption in bold above. */
export function tableMarkdown(t: Table): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    `**${t.caption}**`,
    "",
    `| ${t.columns.map((c) => esc(c.label)).join(" | ")} |`,
    `| ${t.columns.map(() => "---").join(" | ")} |`,
    ...t.rows.map((r) =>
      `| ${t.columns.map((c) => esc(formatValue(r[c.key] ?? null, t.digits))).join(" | ")} |`
    ),
  ].join("\n");
}

/** CSV: an estimate becomes three columns, `<key>`, `<key>_lo`, `<key>_hi`. */
export function tableCsv(t: Table): string {
  const header: string[] = [];
  for (const c of t.columns) {
    header.push(c.key);
    if (t.rows.some((r) => isEstimate(r[c.key] ?? null))) header.push(`${c.key}_lo`, `${c.key}_hi`);
  }
  const rows = t.rows.map((r) => {
    const out: Record<string, string | number> = {};
    for (const c of t.columns) {
      const v = r[c.key] ?? null;
      if (isEstimate(v)) {
        Object.assign(out, { [c.key]: v.mean, [`${c.key}_lo`]: v.lo, [`${c.key}_hi`]: v.hi });
      } else out[c.key] = v === null ? "" : v;
    }
    return out;
  });
  return toCsv(rows, header);
}

const LATEX_SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  "$": "\\$",
  "#": "\\#",
  "_": "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
};

/** Text with LaTeX's special characters escaped; λ, κ, Δ, ±, → and – as math or text commands. */
export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^]/g, (c) => LATEX_SPECIAL[c])
    .replaceAll("λ", "$\\lambda$").replaceAll("κ", "$\\kappa$").replaceAll("Δ", "$\\Delta$")
    .replaceAll("±", "$\\pm$").replaceAll("→", "$\\rightarrow$").replaceAll("–", "--").replaceAll("−", "$-$")
    .replaceAll("≥", "$\\geq$").replaceAll("≤", "$\\leq$").replaceAll("×", "$\\times$").replaceAll(
      "÷",
      "$\\div$",
    );
}

/** A booktabs table environment; estimates as mean with the interval below it in brackets. */
export function tableLatex(t: Table): string {
  const digits = t.digits ?? 3;
  const cell = (v: TableValue) =>
    isEstimate(v) && v.mean !== null && Number.isFinite(v.mean)
      ? latexEscape(`${fixed(v.mean, digits)} `) +
        `{\\scriptsize[${latexEscape(fixed(v.lo, digits))}, ${latexEscape(fixed(v.hi, digits))}]}`
      : latexEscape(formatValue(v, digits));
  const align = t.columns.map((c) => (t.rows.every((r) => typeof (r[c.key] ?? "") !== "string") ? "r" : "l"))
    .join("");
  return [
    "\\begin{table}[t]",
    "\\centering",
    `\\caption{${latexEscape(t.caption)}}`,
    `\\label{tab:${t.id}}`,
    `\\begin{tabular}{${align}}`,
    "\\toprule",
    `${t.columns.map((c) => latexEscape(c.label)).join(" & ")} \\\\`,
    "\\midrule",
    ...t.rows.map((r) => `${t.columns.map((c) => cell(r[c.key] ?? null)).join(" & ")} \\\\`),
    "\\bottomrule",
    "\\end{tabular}",
    "\\end{table}",
  ].join("\n");
}
