import { assertEquals } from "../core/assert.ts";
import type { ReportRow } from "../reports/grid_report.ts";
import { formatValue } from "../reports/tables.ts";
import { MAIN } from "./main.ts";

const est = (mean: number) => ({ mean, lo: mean - 0.01, hi: mean + 0.01 });
const row = (domain: string, method: string, reduction: number | null, incoherence = 0.02): ReportRow => ({
  domain,
  method,
  params: method.startsWith("random") ? { lambda: 1, draw: 0 } : {},
  cells: 3,
  em: est(0.5),
  incoherence: est(incoherence),
  adherence: est(0.9),
  reduction: reduction === null ? null : est(reduction),
  selection: { em: 0.5, incoherence, adherence: 0.9 },
  chosenOnSelectionSplit: null,
  curve: null,
});

Deno.test("main section: each base model apart, the other readout beside, and the readout account", () => {
  const rowsOf = (block: number, enc: number, incoherence = 0.02) =>
    ["medical", "legal"].flatMap((d) => [
      row(d, "naive", null),
      row(d, "block", block),
      row(d, "random", 0.02),
      row(d, "block-encoder", enc, incoherence),
      row(d, "random-encoder", 0.01),
    ]);
  const section = MAIN.section({
    rows: rowsOf(0.9, 0.8),
    byBase: [{ base: 0, rows: rowsOf(0.92, 0.85) }, { base: 1, rows: rowsOf(0.88, 0.5, 0.7) }],
    readouts: [{
      base: 0,
      site: "blocks.2.resid_post",
      latents: 8,
      chance: 0.125,
      selected: { decoder: 0.6, encoder: 0.2 },
      random: [{ decoder: 0.3, encoder: 0.1 }],
    }],
  }, { profile: "paper", path: "p", run: "r" });
  const table = (id: string) => {
    const t = section.tables!.find((x) => x.id === id)!;
    return t.rows.map((r) => t.columns.map((c) => formatValue(r[c.key] ?? null)).join(" | "));
  };
  assertEquals(table("main")[0].split(" | ").slice(5, 7), ["0.800 [0.790, 0.810]", "0.010"]);
  // Base 1's encoder BLOCK is incoherent: named, not averaged.
  assertEquals(table("main-bases"), [
    "0 | 0.920 | 0.020 | 0.850 | 0.010",
    "1 | 0.880 | 0.020 | incoherent | 0.010",
  ]);
  assertEquals(table("main-readouts"), ["0 | 8 | 0.125 | 0.600 | 0.200 | 0.300 | 0.100"]);
});
