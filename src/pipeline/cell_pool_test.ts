import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { sha256File } from "../core/hash.ts";
import { runCells } from "./cell_pool.ts";
import { cellId } from "../runs/cell.ts";
import { openRun } from "../runs/run.ts";
import { runExperiment } from "./experiment.ts";
import { cellOutputHashes } from "../testing/cells.ts";
import { runPaths } from "../runs/paths.ts";
import { resolveConfig } from "../config/profiles.ts";

Deno.test("cells on two worker processes give the same bytes as cells in one process", async () => {
  const backend = await initBackend("wasm");
  const [pooled, serial] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const cfg = resolveConfig("tiny");
    const run = (root: string, workers: number) =>
      runExperiment("main", cfg, root, "tiny", { root, backend, force: false, log: () => {}, workers });
    const first = await run(pooled, 2);
    await run(serial, 1);
    const [a, b] = [await cellOutputHashes(pooled, "tiny"), await cellOutputHashes(serial, "tiny")];
    assertOk(Object.keys(a).length >= 4, `${Object.keys(a).length} cells`);
    assertEquals(a, b);
    assertOk(first.results.some((r) => r.status === "ran"));
    // A rerun on the pool reuses every cell.
    const again = await run(pooled, 2);
    assertOk(again.results.every((r) => r.status === "reused"));
    // A cell whose worker fails (block-union without rediscovered latents) is named by id; the others finish.
    const ctx = { root: pooled, backend, force: false, log: () => {} };
    const union = {
      domain: "medical",
      method: "block-union" as const,
      params: { lambda: 0.1 },
      base: 0,
      finetune: 1,
    };
    const naive = {
      domain: "medical",
      method: "naive" as const,
      params: { epochs: 2 },
      base: 0,
      finetune: 1,
    };
    await assertRejects(
      () => runCells("main", [union, naive], openRun("tiny", cfg, pooled), ctx, 2),
      new RegExp(
        `1 of 2 cell\\(s\\) failed: ${cellId(union, cfg)} \\(exit 1: error: Stage .* is missing its input`,
      ),
    );
    assertOk(await sha256File(join(pooled, runPaths("tiny").cell(cellId(naive, cfg)), "result.json")));
  } finally {
    await Deno.remove(pooled, { recursive: true });
    await Deno.remove(serial, { recursive: true });
  }
});
