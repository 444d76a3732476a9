import { assertEquals, assertOk } from "../core/assert.ts";
import { resolveConfig } from "../config/profiles.ts";
import { compareSettings, gridReport, reportMarkdown } from "./grid_report.ts";

type Method = string;

/** One prompt's exact-judge masses: `misaligned` and `incoherent` as given, the rest aligned. */
const mass = (domain: string, misaligned: number, incoherent = 0) => ({
  questionId: domain,
  domain,
  aligned: 1 - misaligned - incoherent,
  misaligned,
  refusal: 0,
  incoherent,
});

Deno.test("grid report: intervals over seed pairs, reduction against naive of the same seeds, chosen strength", () => {
  const cfg = resolveConfig("tiny");
  const result = (
    method: Method,
    params: Record<string, number>,
    finetune: number,
    em: number,
    sel: number[],
  ) => ({
    cell: { domain: "medical", method, params, base: 0, finetune },
    id: `${method}${finetune}`,
    evaluation: [mass("finance", em), mass("general", em), mass("medical", 0.9)],
    selection: [],
    metrics: {
      evaluation: { em, incoherence: 0, adherence: 0.9 },
      selection: { em: sel[0], incoherence: sel[1], adherence: sel[2] },
    },
    record: {},
  });
  const rows = gridReport([
    result("naive", {}, 1, 0.5, [0.5, 0.02, 0.9]),
    result("naive", {}, 2, 0.5, [0.5, 0.02, 0.9]),
    result("kl", { weight: 1 }, 1, 0.25, [0.3, 0.02, 0.88]),
    result("kl", { weight: 1 }, 2, 0.25, [0.3, 0.02, 0.88]),
    // The stronger weight loses too much adherence on the selection split, so weight 1 is chosen.
    result("kl", { weight: 10 }, 1, 0.1, [0.1, 0.02, 0.5]),
    result("kl", { weight: 10 }, 2, 0.1, [0.1, 0.02, 0.5]),
  ], cfg);
  const kl1 = rows.find((r) => r.method === "kl" && r.params.weight === 1)!;
  const kl10 = rows.find((r) => r.method === "kl" && r.params.weight === 10)!;
  assertEquals(kl1.cells, 2);
  assertOk(Math.abs(kl1.em.mean - 0.25) < 1e-9 && Math.abs(kl1.reduction!.mean - 0.5) < 1e-9);
  assertOk(Math.abs(kl10.reduction!.mean - 0.8) < 1e-9);
  assertEquals([kl1.chosenOnSelectionSplit, kl10.chosenOnSelectionSplit], [true, false]);
  assertEquals(rows.find((r) => r.method === "naive")!.reduction, null);
  assertOk(reportMarkdown(rows).includes("| medical | kl (chosen) | weight=1 | 2 |"));
});

Deno.test("grid report: a group with one strength (the k sweep) marks nothing as chosen", () => {
  const cfg = resolveConfig("tiny");
  const result = (method: Method, params: Record<string, number>) => ({
    cell: { domain: "medical", method, params, base: 0, finetune: 1 },
    id: method,
    evaluation: [mass("finance", 0.3), mass("medical", 0.9)],
    selection: [],
    metrics: {
      evaluation: { em: 0.3, incoherence: 0, adherence: 0.9 },
      selection: { em: 0.3, incoherence: 0, adherence: 0.9 },
    },
    record: {},
  });
  const rows = gridReport([
    result("naive", {}),
    result("block", { lambda: 0.03, k: 1 }),
    result("block", { lambda: 0.03, k: 2 }),
  ], cfg);
  assertEquals(rows.filter((r) => r.method === "block").map((r) => r.chosenOnSelectionSplit), [null, null]);
});

Deno.test("grid report: settings sort as numbers, key by key", () => {
  const settings: Record<string, number>[] = [{ lambda: 10 }, { lambda: 3 }, {}, { lambda: 1 }, {
    lambda: 3,
    k: 16,
  }, { lambda: 3, k: 2 }];
  assertEquals(settings.sort(compareSettings), [
    {},
    { lambda: 1 },
    { lambda: 3 },
    { lambda: 10 },
    { lambda: 3, k: 2 },
    { lambda: 3, k: 16 },
  ]);
});

Deno.test("grid report: base models whose selection chose different λ pool into one row, λ per base beside", () => {
  const cfg = resolveConfig("tiny");
  const result = (method: string, params: Record<string, number>, base: number, em: number) => ({
    cell: { domain: "medical", method, params, base, finetune: 1 },
    id: `${method}${base}`,
    evaluation: [mass("finance", em), mass("medical", 0.9)],
    selection: [],
    metrics: {
      evaluation: { em, incoherence: 0, adherence: 0.9 },
      selection: { em, incoherence: 0, adherence: 0.9 },
    },
    record: {},
  });
  const results = [
    result("naive", {}, 0, 0.6),
    result("naive", {}, 1, 0.6),
    result("block", { lambda: 0.01 }, 0, 0.1),
    result("block", { lambda: 0.03 }, 1, 0.3),
  ];
  const pooled = gridReport(results, cfg, { chosenLambda: true }).filter((r) => r.method === "block");
  assertEquals(pooled.length, 1);
  assertEquals([pooled[0].cells, pooled[0].params, pooled[0].lambdas], [2, {}, { "0": 0.01, "1": 0.03 }]);
  assertOk(Math.abs(pooled[0].reduction!.mean - (1 - 0.2 / 0.6)) < 1e-6);
  assertEquals(pooled[0].referenceIncoherence, 0);
  assertOk(reportMarkdown(pooled).includes("| lambda=0.01 (base 0), 0.03 (base 1) |"));
  // A sweep keeps each λ apart.
  assertEquals(gridReport(results, cfg).filter((r) => r.method === "block").length, 2);
  // One λ for every base model: the row keeps it in its settings, as before.
  const same = gridReport(
    results.map((r) =>
      r.cell.base === 1 && r.cell.method === "block"
        ? { ...r, cell: { ...r.cell, params: { lambda: 0.01 } } }
        : r
    ),
    cfg,
    { chosenLambda: true },
  );
  assertEquals(same.find((r) => r.method === "block")!.params, { lambda: 0.01 });
});
