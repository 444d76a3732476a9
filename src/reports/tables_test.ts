import { assertEquals, assertOk } from "../core/assert.ts";
import {
  type Estimate,
  formatValue,
  latexEscape,
  type Table,
  tableCsv,
  tableLatex,
  tableMarkdown,
} from "./tables.ts";

const table: Table = {
  id: "main",
  caption: "EM per domain (95% CI)",
  columns: [{ key: "domain", label: "domain" }, { key: "em", label: "EM" }, { key: "n", label: "cells" }],
  rows: [
    { domain: "medical_x", em: { mean: 0.5, lo: 0.4, hi: 0.6 }, n: 3 },
    { domain: "a|b", em: null, n: 2 },
  ],
};

Deno.test("table values: estimates as mean [lo, hi], missing as an en dash", () => {
  assertEquals(formatValue({ mean: 0.12345, lo: 0.1, hi: 0.2 }, 2), "0.12 [0.10, 0.20]");
  assertEquals(formatValue(null), "–");
  assertEquals(formatValue(Number.NaN), "–");
});

Deno.test("a table renders to Markdown, CSV (interval columns) and booktabs LaTeX", () => {
  const md = tableMarkdown(table);
  assertOk(md.includes("| medical_x | 0.500 [0.400, 0.600] | 3.000 |"), md);
  assertOk(md.includes("a\\|b"), "pipes are escaped");
  assertEquals(tableCsv(table).trim().split("\n"), [
    "domain,em,em_lo,em_hi,n",
    "medical_x,0.5,0.4,0.6,3",
    "a|b,,,,2",
  ]);
  const tex = tableLatex(table);
  for (const part of ["\\toprule", "\\midrule", "\\bottomrule", "\\label{tab:main}", "medical\\_x"]) {
    assertOk(tex.includes(part), `${part} in\n${tex}`);
  }
  assertOk(tex.includes("0.500 {\\scriptsize[0.400, 0.600]}"));
});

Deno.test("LaTeX escaping covers special characters and the symbols the reports use", () => {
  assertEquals(
    latexEscape("50% & λ_1 ≥ 0.95 × naive"),
    "50\\% \\& $\\lambda$\\_1 $\\geq$ 0.95 $\\times$ naive",
  );
});

Deno.test("an undefined estimate or number is an en dash in every format and an empty CSV cell", () => {
  // As JSON gives an undefined interval back: nulls.
  const undefinedEstimate = { mean: null, lo: null, hi: null } as unknown as Estimate;
  const table: Table = {
    id: "u",
    caption: "undefined",
    columns: [{ key: "name", label: "name" }, { key: "em", label: "EM" }, { key: "k", label: "κ" }],
    rows: [
      { name: "block", em: undefinedEstimate, k: Number.NaN },
      { name: "naive", em: { mean: 0.5, lo: Number.NaN, hi: 0.7 }, k: 0.25 },
    ],
  };
  assertEquals(formatValue(undefinedEstimate), "–");
  assertEquals(formatValue(table.rows[1].em), "0.500 [–, 0.700]");
  assertOk(tableMarkdown(table).includes("| block | – | – |"));
  assertOk(tableLatex(table).includes("block & -- & --"), tableLatex(table));
  assertOk(tableLatex(table).includes("0.500 {\\scriptsize[--, 0.700]}"), tableLatex(table));
  assertEquals(tableCsv(table).split("\n")[1], "block,,,,");
});
