import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { GRID_NAMES } from "../config/names.ts";
import { resolveConfig } from "../config/profiles.ts";
import { METHODS } from "../methods/registry.ts";
import { cellId } from "../runs/cell.ts";
import { gridCells, gridNamed, GRIDS } from "./registry.ts";

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

Deno.test("every listed grid is registered, and every grid's cells name registered methods", () => {
  assertEquals(Object.keys(GRIDS), [...GRID_NAMES]);
  const cfg = resolveConfig("reference");
  for (const name of GRID_NAMES) {
    const cells = gridCells(name, cfg, () => 0.01);
    assertOk(cells.length > 0, name);
    assertOk(cells.every((c) => METHODS.has(c.method)), name);
  }
  assertThrows(() => gridNamed("mian"), /Unknown grid 'mian'/);
  // Rerouting needs a layer after the block layer.
  assertThrows(() => GRIDS.reroute.check!(resolveConfig("smoke")), /layers after the block layer/);
});
