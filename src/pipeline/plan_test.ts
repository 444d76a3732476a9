import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { readJson, writeJsonAtomic } from "../core/atomic.ts";
import { cellId } from "../runs/cell.ts";
import { gridCells } from "../grids/registry.ts";
import { makePlan, type Plan, planCell, planPaths, writePlan } from "./plan.ts";
import { resolveConfig } from "../config/profiles.ts";

Deno.test("a plan lists each cell once with every grid it belongs to, and a job array with one task per cell", async () => {
  const cfg = resolveConfig("tiny");
  const main = gridCells("main", cfg, () => 0.1), k = gridCells("k", cfg, () => 0.1);
  const plan = makePlan("tiny", cfg, [{ grid: "main", cells: main }, { grid: "k", cells: k }]);
  const ids = new Set([...main, ...k].map((c) => cellId(c, cfg)));
  assertEquals(plan.cells.length, ids.size);
  // The naive cells are in both grids.
  assertOk(plan.cells.some((c) => c.grids.length === 2 && c.cell.method === "naive"));
  const root = await Deno.makeTempDir();
  try {
    await writePlan(root, plan, "/checkout");
    const p = planPaths("tiny");
    const script = await Deno.readTextFile(join(root, p.array));
    assertOk(script.includes(`#SBATCH --array=0-${ids.size - 1}`), script);
    assertOk(script.includes(`cd "/checkout"`) && script.includes(`ROOT="${root}"`), script);
    assertOk(script.includes(`--allow-write="$ROOT/data,$ROOT/results"`), script);
    assertEquals(
      (await Deno.readTextFile(join(root, p.ids))).trim().split("\n"),
      plan.cells.map((c) => c.id),
    );
    const first = plan.cells[0];
    assertEquals((await planCell(root, "tiny", first.id)).cell, first.cell);
    await assertRejects(() => planCell(root, "tiny", "0".repeat(16)), /is not in/);
    await assertRejects(() => planCell(root, "smoke", first.id), /No plan at/);
    // A plan edited after the fact no longer hashes to its ids, and is refused.
    const edited = await readJson<Plan>(join(root, p.plan));
    edited.config.finetune.lr *= 2;
    await writeJsonAtomic(join(root, p.plan), edited);
    await assertRejects(() => planCell(root, "tiny", first.id), /no longer hashes to its id/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
