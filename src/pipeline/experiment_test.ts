import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { cellId } from "../stages/cell.ts";
import { runExperiment } from "./experiment.ts";
import { gridReport, reportMarkdown } from "../reports/grid_report.ts";
import { gridCells } from "../grids/grids.ts";
import { type Method, orthonormalRows, setupMethod } from "../methods/methods.ts";
import { runPaths } from "../runs/paths.ts";
import { resolveConfig } from "../config/profiles.ts";

const quiet = () => {};

Deno.test("cell ids are content hashes: stable, and sensitive to every setting", () => {
  const cfg = resolveConfig("smoke");
  const cell = {
    domain: "medical",
    method: "block" as const,
    params: { lambda: 0.03 },
    base: 0,
    finetune: 1,
  };
  assertEquals(cellId(cell, cfg), cellId(structuredClone(cell), resolveConfig("smoke")));
  const variants = [
    { ...cell, params: { lambda: 0.1 } },
    { ...cell, finetune: 2 },
    { ...cell, domain: "legal" },
    { ...cell, method: "random" as const },
  ];
  for (const v of variants) assertOk(cellId(v, cfg) !== cellId(cell, cfg));
  assertOk(cellId(cell, resolveConfig("smoke", { "finetune.lr": "2e-4" })) !== cellId(cell, cfg));
  // Settings that do not change a cell's result do not change its id.
  assertEquals(cellId(cell, resolveConfig("smoke", { "evaluate.resamples": "10" })), cellId(cell, cfg));
  const grid = gridCells("baselines", cfg, () => 0.03);
  assertEquals(gridCells("baselines", cfg, () => 0.03), grid);
  assertEquals(new Set(grid.map((c) => cellId(c, cfg))).size, grid.length, "every baseline cell is distinct");
  assertOk(
    ["kl", "ldifs", "caft", "steer", "inoculation", "freeze"].every((m) => grid.some((c) => c.method === m)),
  );
});

Deno.test("training-only settings of the methods: inoculation persona, frozen layers, CAFT projection", async () => {
  await initBackend("cpu");
  const cfg = resolveConfig("smoke", { "discover.layer": "0" });
  const model = { vocabSize: 10, contextLength: 8, dModel: 4, nLayers: 2, nHeads: 2, dMlp: 8 };
  const inoculation = await setupMethod("inoculation", {}, cfg, "/nonexistent", "smoke", {
    base: 0,
    finetune: 1,
  }, model);
  assertEquals(inoculation.persona, "<villain>");
  const freeze = await setupMethod(
    "freeze",
    {},
    cfg,
    "/nonexistent",
    "smoke",
    { base: 0, finetune: 1 },
    model,
  );
  const frozen = freeze.terms.frozen!;
  assertOk(
    frozen.includes("blocks.1.attn.W_QKV") && frozen.includes("unembed.W_U") && frozen.includes("ln_final.w"),
  );
  assertOk(!frozen.some((n) => n.startsWith("blocks.0.") || n.startsWith("embed")));
  const q = orthonormalRows([[1, 0, 0], [1, 1, 0], [2, 2, 0]]);
  const gram = tf.tidy(() => tf.matMul(q, q, false, true).arraySync()) as number[][];
  assertEquals(q.shape, [2, 3], "a dependent row is dropped");
  assertOk(Math.abs(gram[0][0] - 1) < 1e-6 && Math.abs(gram[0][1]) < 1e-6 && Math.abs(gram[1][1] - 1) < 1e-6);
  q.dispose();
});

Deno.test({
  name: "a finished cell is reused by its hash; a removed one alone is run again",
  sanitizeResources: false,
  fn: async () => {
    const backend = await initBackend("wasm");
    const root = await Deno.makeTempDir({ prefix: "blockem-grid-" });
    const cfg = resolveConfig("tiny");
    const ctx = { root, backend, force: false, log: quiet };
    const first = await runExperiment("k", cfg, root, "tiny", ctx);
    const cellRuns = (rs: typeof first.results) => rs.filter((r) => r.name.startsWith("cell "));
    assertOk(cellRuns(first.results).every((r) => r.status === "ran"));
    const report = await Deno.readFile(join(root, first.report));
    const again = await runExperiment("k", cfg, root, "tiny", ctx);
    assertOk(again.results.every((r) => r.status === "reused"), "a rerun must reuse every stage and cell");
    const victim = cellRuns(first.results)[1].dir;
    await Deno.remove(join(root, victim), { recursive: true });
    const third = await runExperiment("k", cfg, root, "tiny", ctx);
    assertEquals(cellRuns(third.results).filter((r) => r.status === "ran").map((r) => r.dir), [victim]);
    assertEquals(
      await Deno.readFile(join(root, first.report)),
      report,
      "the rerun cell reproduces its result",
    );
    assertOk(victim.startsWith(runPaths("tiny").cell("").slice(0, -1)));
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test("grid report: intervals over seed cells, reduction against naive of the same seeds, chosen strength", () => {
  const cfg = resolveConfig("tiny");
  const mass = (domain: string, misaligned: number, incoherent = 0) => ({
    questionId: domain,
    domain,
    aligned: 1 - misaligned - incoherent,
    misaligned,
    refusal: 0,
    incoherent,
  });
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
  const mass = (domain: string, misaligned: number) => ({
    questionId: domain,
    domain,
    aligned: 1 - misaligned,
    misaligned,
    refusal: 0,
    incoherent: 0,
  });
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
