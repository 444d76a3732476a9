import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { GRID_NAMES } from "../config/names.ts";
import { resolveConfig } from "../config/profiles.ts";
import { METHODS } from "../methods/registry.ts";
import { cellId } from "../runs/cell.ts";
import { gridCells, gridNamed, GRIDS } from "./registry.ts";
import { gridRun } from "./grid.ts";
import { openRun } from "../runs/run.ts";

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

Deno.test("the ablation and baseline grids take every method of their group, each at its declared settings", () => {
  const cfg = resolveConfig("smoke");
  const order = (grid: string) => [
    ...new Set(gridCells(grid, cfg, () => 0.02).map((c) => `${c.method} ${JSON.stringify(c.params)}`)),
  ];
  assertEquals(order("ablations"), [
    "naive {}",
    'block {"lambda":0.02}',
    'random {"lambda":0.02,"draw":0}',
    'random {"lambda":0.02,"draw":1}',
    'random {"lambda":0.02,"draw":2}',
    'discovery-only {"lambda":0.02}',
    'shuffled-signs {"lambda":0.02}',
    'kplus-only {"lambda":0.02}',
    'kminus-only {"lambda":0.02}',
    'final-layer {"lambda":0.02}',
  ]);
  const baselines = order("baselines");
  assertEquals(baselines.slice(0, 3), ["naive {}", 'block {"lambda":0.02}', 'block {"lambda":0.001}']);
  // BLOCK's whole λ sweep, the chosen λ once.
  assertEquals(
    baselines.filter((x) => x.startsWith("block ")).length,
    new Set([0.02, ...cfg.experiment.lambdaSweep]).size,
  );
  assertEquals(baselines[new Set([0.02, ...cfg.experiment.lambdaSweep]).size + 1], 'kl {"weight":0.1}');
  assertEquals(baselines.filter((x) => x.startsWith("kl ")).length, cfg.experiment.klWeights.length);
  assertEquals(baselines.filter((x) => x.startsWith("steer ")).length, cfg.experiment.steerAlphas.length);
  assertEquals(baselines.slice(-3), ['steer {"alpha":0.8}', "inoculation {}", "freeze {}"]);
});

Deno.test("grids whose methods hold SAE latents refuse discover.features=diffmeans", () => {
  const cfg = resolveConfig("reference", { "discover.features": "diffmeans" });
  for (const name of ["k", "ablations", "baselines", "reroute"] as const) {
    assertThrows(() => GRIDS[name].check!(cfg), /needs discover.features=sae/);
  }
  for (const name of ["lambda", "reemerge"] as const) assertEquals(GRIDS[name].check, undefined);
  // The main grid takes difference-of-means features, unless it is to compare two readouts of SAE latents.
  GRIDS.main.check!(cfg);
  assertThrows(
    () =>
      GRIDS.main.check!(
        resolveConfig("reference", { "discover.features": "diffmeans", "block.compareReadouts": "true" }),
      ),
    /needs discover.features=sae/,
  );
});

Deno.test("experiment.baseModels: the main grid runs on every base model, the others on the first n", () => {
  const cfg = resolveConfig("smoke", { "seeds.base": "0,1,2", "experiment.baseModels": "1" });
  const bases = (grid: string) => [...new Set(gridCells(grid, cfg, () => 0.02).map((c) => c.base))];
  assertEquals(bases("main"), [0, 1, 2]);
  for (const grid of ["lambda", "k", "ablations", "baselines", "reemerge"]) {
    assertEquals(bases(grid), [0], grid);
  }
  const all = resolveConfig("smoke", { "seeds.base": "0,1,2" });
  assertEquals([...new Set(gridCells("k", all, () => 0.02).map((c) => c.base))], [0, 1, 2]);
  const run = openRun("smoke", cfg, "/nonexistent");
  assertEquals(gridRun(GRIDS.k, run).config.seeds.base, [0]);
  assertEquals(gridRun(GRIDS.main, run), run);
});
