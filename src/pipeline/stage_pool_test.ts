import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { sha256File } from "../core/hash.ts";
import { resolveConfig } from "../config/profiles.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun } from "../runs/run.ts";
import type { StageContext } from "../runs/stage.ts";
import { dataStage } from "../stages/data.ts";
import { pretrainStage } from "../stages/pretrain.ts";
import { runStages } from "./execute.ts";

Deno.test("stages on worker processes side by side give the same bytes as in one process, and are reused", async () => {
  const backend = await initBackend("wasm");
  const [pooled, serial] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const cfg = resolveConfig("tiny", { "seeds.base": "0,1" });
    const lines: string[] = [];
    const ctx = (root: string, workers: number): StageContext => ({
      root,
      backend,
      force: false,
      log: (l) => lines.push(l),
      workers,
    });
    const pretrains = (root: string) => {
      const run = openRun("tiny", cfg, root);
      return {
        run,
        stages: [dataStage(run), ...[0, 1].map((base) => pretrainStage(run, { base, finetune: 1 }))],
      };
    };
    const a = pretrains(pooled), b = pretrains(serial);
    await runStages(a.stages, a.run, ctx(pooled, 2));
    await runStages(b.stages, b.run, ctx(serial, 1));
    // Both base models pretrained at once, each in a worker.
    assertEquals(lines.filter((l) => / done in .*\(worker\)$/.test(l)).length, 2);
    for (const base of [0, 1]) {
      const weights = `${runPaths("tiny", { base, finetune: 1 }).pretrain}/weights.bin`;
      assertEquals(await sha256File(join(pooled, weights)), await sha256File(join(serial, weights)));
    }
    const again = await runStages(a.stages, a.run, ctx(pooled, 2));
    assertOk(again.every((r) => r.status === "reused"));
    // A stage whose worker fails is named, with the worker's error line.
    await Deno.remove(join(pooled, runPaths("tiny").summaryDir), { recursive: true });
    await Deno.remove(join(pooled, "data"), { recursive: true });
    await assertRejects(
      () => runStages(a.stages.slice(1), a.run, ctx(pooled, 2)),
      /failed in its worker \(exit 1\): error: /,
    );
  } finally {
    await Deno.remove(pooled, { recursive: true });
    await Deno.remove(serial, { recursive: true });
  }
});
