import { join } from "node:path";
import { assertEquals } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { resolveConfig } from "../config/profiles.ts";
import { openRun } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { runStages } from "./execute.ts";

Deno.test("stages given in any order run after their producers, and a second run reuses all of them", async () => {
  const backend = await initBackend("cpu");
  const root = await Deno.makeTempDir();
  try {
    const order: string[] = [];
    const stage = (name: string, inputs: string[]): StageSpec => ({
      name,
      dir: `results/${name}`,
      config: {},
      seeds: {},
      inputs,
      outputs: [`results/${name}/out.txt`],
      code: import.meta.url,
      run: async () => {
        order.push(name);
        await Deno.mkdir(join(root, "results", name), { recursive: true });
        await Deno.writeTextFile(join(root, "results", name, "out.txt"), name);
        return [`results/${name}/out.txt`];
      },
    });
    const stages = [
      stage("report", ["results/b/out.txt", "results/c/out.txt"]),
      stage("c", ["results/a/out.txt"]),
      stage("b", ["results/a/out.txt"]),
      stage("a", []),
    ];
    const run = openRun("tiny", resolveConfig("tiny"), root);
    const ctx = { root, backend, force: false, log: () => {} };
    const first = await runStages(stages, run, ctx);
    assertEquals(order, ["a", "b", "c", "report"]);
    assertEquals(first.map((r) => r.status), ["ran", "ran", "ran", "ran"]);
    const again = await runStages(stages, run, ctx);
    assertEquals(again.map((r) => r.status), ["reused", "reused", "reused", "reused"]);
    assertEquals(order.length, 4);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
