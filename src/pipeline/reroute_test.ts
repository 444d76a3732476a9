import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { readJson, readJsonl } from "../core/atomic.ts";
import type { SplitQuestion } from "../world/splits.ts";
import type { RerouteAnalysis } from "../analysis/rerouting/types.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun } from "../runs/run.ts";
import { resolveConfig } from "../config/profiles.ts";
import { runGrid } from "./experiment.ts";

const quiet = () => {};

Deno.test("reroute end to end on a tiny 2-layer organism: every stage, reuse on rerun, selection-split discovery", async () => {
  const backend = await initBackend("wasm");
  const root = await Deno.makeTempDir();
  try {
    const ctx = { root, backend, force: false, log: quiet };
    const one = resolveConfig("tiny");
    await assertRejects(
      () => runGrid("reroute", openRun("tiny", one, root), ctx),
      /layers after the block layer/,
    );
    const cfg = resolveConfig("tiny", { "model.nLayers": "2" });
    const before = tf.memory().numTensors;
    const run = openRun("tiny", cfg, root);
    const first = await runGrid("reroute", run, ctx);
    assertEquals(tf.memory().numTensors, before);
    assertOk(first.results.every((r) => r.status === "ran"));
    const paths = runPaths("tiny", { base: 0, finetune: 0 });
    const report = await readJson<
      { bases: { verdicts: unknown[] }[]; fixes: unknown[]; curves: unknown[]; planted: { ok: boolean }[] }
    >(join(root, paths.experiment("reroute"), "report.json"));
    assertEquals(report.bases[0].verdicts.length, 4);
    // The known-answer checks ride with every report: a positive and a null per hypothesis, all answered right.
    assertEquals(report.planted.map((o) => o.ok), [true, true, true, true, true, true, true]);
    assertEquals(report.fixes.length, 5);
    assertOk(report.curves.length > 0);
    // Rediscovery on the re-emerged model reads selection-split prompts only.
    const split = new Map(
      (await readJsonl<SplitQuestion>(join(root, paths.questions))).map((q) => [q.id, q.split]),
    );
    const found = await readJson<{ provenance: { prompts: string[] } }>(join(root, paths.rerouteLatents));
    assertOk(found.provenance.prompts.every((id) => split.get(id) === "selection"));
    const analysis = await readJson<RerouteAnalysis>(join(root, paths.reroute("analysis"), "analysis.json"));
    assertEquals(new Set(analysis.h3.rows.map((r) => r.layer)).size, 2);
    assertOk(analysis.h3.rows.every((r) => Number.isFinite(r.diffmeans) && Number.isFinite(r.saeShift)));
    const again = await runGrid("reroute", run, ctx);
    assertOk(again.results.every((r) => r.status === "reused"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
