import { assertEquals, assertOk } from "../core/assert.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { formatValue } from "../reports/tables.ts";
import { GRIDS } from "./registry.ts";

const est = (mean: number) => ({ mean, lo: mean - 0.01, hi: mean + 0.01 });

/** A report row; `incoherence` ≥ 0.5 makes it one the sections must show as incoherent. */
function row(method: string, params: Record<string, number>, em: number, incoherence: number): ReportRow {
  return {
    domain: "medical",
    method,
    params,
    cells: 2,
    em: est(em),
    incoherence: est(incoherence),
    adherence: est(0.9),
    // An incoherent model's reduction reads 0.777, so a leak of it is found as surely as one of its EM.
    reduction: method === "naive" ? null : est(incoherence >= 0.5 ? 0.777 : 0.5),
    selection: { em, incoherence, adherence: 0.9 },
    chosenOnSelectionSplit: null,
    curve: params.epochs === undefined ? null : [
      { epoch: 6, em, incoherence: 0.02, adherence: 0.9 },
      { epoch: 12, em: 0.97, incoherence: 0.8, adherence: 0.9 },
    ],
  };
}

const source = { profile: "paper", path: "results/paper/x", run: "x" };
const shown = (section: ReturnType<typeof GRIDS.main.section>) =>
  section.tables!.flatMap((t) =>
    t.rows.map((r) => t.columns.map((c) => formatValue(r[c.key] ?? null)).join(" | "))
  );

Deno.test("every grid section shows a model with incoherence ≥ 0.5 as incoherent, never with its EM", () => {
  // The incoherent model's EM (0.999) and reduction (0.5) must appear nowhere.
  const rows = [
    row("naive", {}, 0.6, 0.02),
    row("block", { lambda: 0.02 }, 0.2, 0.03),
    row("block", { lambda: 3 }, 0.999, 0.97),
    row("random", { lambda: 0.02, draw: 0 }, 0.55, 0.02),
    row("kl", { weight: 10 }, 0.999, 0.9),
  ];
  // The main grid has one BLOCK row per domain: there, the incoherent one.
  const mainRows = rows.filter((r) => r.params.lambda !== 0.02 || r.method !== "block");
  for (const grid of ["main", "lambda", "ablations", "baselines"] as const) {
    const section = GRIDS[grid].section({ rows: grid === "main" ? mainRows : rows }, source);
    const lines = shown(section);
    assertOk(lines.some((l) => l.includes("incoherent")), `${grid}: ${lines.join("\n")}`);
    assertOk(
      lines.every((l) => !l.includes("0.999") && !l.includes("0.777")),
      `${grid}: ${lines.join("\n")}`,
    );
    for (const f of section.figures) {
      const values = JSON.stringify(f.spec);
      assertOk(
        !values.includes("0.999") && !values.includes("0.777"),
        `${grid} figure ${f.id} plots an incoherent model`,
      );
      assertOk(values.includes("not plotted"), `${grid} figure ${f.id} does not say what it left out`);
    }
  }
  // A coherent grid shows numbers and says nothing was left out.
  const coherent = GRIDS.lambda.section({ rows: rows.filter((r) => r.incoherence.mean < 0.5) }, source);
  assertOk(shown(coherent).every((l) => !l.includes("incoherent")));
  assertOk(!JSON.stringify(coherent.figures[0].spec).includes("not plotted"));

  const prolonged = [
    row("naive", { epochs: 12 }, 0.7, 0.02),
    row("block", { lambda: 0.02, epochs: 12 }, 0.3, 0.02),
  ];
  const curve = shown(GRIDS.reemerge.section({ rows: prolonged }, source));
  assertEquals(curve, ["6 | 0.700 | 0.300", "12 | incoherent | incoherent"]);
});
