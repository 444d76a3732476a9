/**
 * The one-page report: every table and figure with its caption, and the
 * provenance of the run. Figures are inline SVG; a small script marks how
 * many of them rendered with a non-empty box, so a headless browser can
 * check the page (see `pipeline/report_test.ts`).
 * @module
 */
import { formatValue, type Table } from "./tables.ts";

/** One section of the page: prose, tables and figures (SVG text). */
export interface ReportSection {
  title: string;
  notes?: string[];
  tables?: Table[];
  figures?: { id: string; caption: string; svg: string }[];
}

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function htmlTable(t: Table): string {
  const head = t.columns.map((c) => `<th>${esc(c.label)}</th>`).join("");
  const body = t.rows.map((r) =>
    `<tr>${t.columns.map((c) => `<td>${esc(formatValue(r[c.key] ?? null, t.digits))}</td>`).join("")}</tr>`
  ).join("\n");
  return `<table id="table-${esc(t.id)}"><caption>${
    esc(t.caption)
  }</caption><thead><tr>${head}</tr></thead>` +
    `<tbody>\n${body}\n</tbody></table>`;
}

// Counts figures whose SVG has a non-empty bounding box and records it on <body>.
const CHECK_SCRIPT = `
window.addEventListener("load", () => {
  const figures = [...document.querySelectorAll("figure.plot")];
  const rendered = figures.filter((f) => {
    const svg = f.querySelector("svg");
    if (!svg) return false;
    const box = svg.getBBox();
    return box.width > 10 && box.height > 10 && svg.querySelectorAll("path, line, rect, text").length > 5;
  });
  document.body.dataset.figuresExpected = String(figures.length);
  document.body.dataset.figuresRendered = String(rendered.length);
});`;

/** The whole page. */
export function reportHtml(
  title: string,
  sections: readonly ReportSection[],
  provenance: Record<string, unknown>,
): string {
  const parts = sections.map((s) => {
    const notes = (s.notes ?? []).map((n) => `<p>${esc(n)}</p>`).join("\n");
    const tables = (s.tables ?? []).map(htmlTable).join("\n");
    const figures = (s.figures ?? []).map((f) =>
      `<figure class="plot" id="figure-${esc(f.id)}">${f.svg.replace(/^<\?xml[^>]*>/, "")}` +
      `<figcaption>${esc(f.caption)}</figcaption></figure>`
    ).join("\n");
    return `<section><h2>${esc(s.title)}</h2>\n${notes}\n${figures}\n${tables}</section>`;
  }).join("\n");
  const prov = Object.entries(provenance).map(([k, v]) =>
    `<tr><th>${esc(k)}</th><td><code>${esc(typeof v === "string" ? v : JSON.stringify(v))}</code></td></tr>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
figure { margin: 1.5em 0; overflow-x: auto; }
figcaption { font-size: 0.9em; color: #444; }
code { font-size: 0.85em; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${parts}
<section><h2>Provenance</h2><table id="provenance"><tbody>
${prov}
</tbody></table></section>
<script>${CHECK_SCRIPT}</script>
</body>
</html>
`;
}
