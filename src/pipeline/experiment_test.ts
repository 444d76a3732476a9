import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { runGrid } from "./experiment.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun } from "../runs/run.ts";
import { resolveConfig } from "../config/profiles.ts";

const quiet = () => {};

Deno.test({
  name: "a finished cell is reused by its hash; a removed one alone is run again",
  sanitizeResources: false,
  fn: async () => {
    const backend = await initBackend("wasm");
    const root = await Deno.makeTempDir({ prefix: "blockem-grid-" });
    const cfg = resolveConfig("tiny");
    const ctx = { root, backend, force: false, log: quiet };
    const run = openRun("tiny", cfg, root);
    const first = await runGrid("k", run, ctx);
    const cellRuns = (rs: typeof first.results) => rs.filter((r) => r.name.startsWith("cell "));
    assertOk(cellRuns(first.results).every((r) => r.status === "ran"));
    const report = await Deno.readFile(join(root, first.report));
    const again = await runGrid("k", run, ctx);
    assertOk(again.results.every((r) => r.status === "reused"), "a rerun must reuse every stage and cell");
    const victim = cellRuns(first.results)[1].dir;
    await Deno.remove(join(root, victim), { recursive: true });
    const third = await runGrid("k", run, ctx);
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

Deno.test({
  name:
    "compareReadouts: the main grid adds BLOCK and random latents read the other way, at that readout's own λ",
  sanitizeResources: false,
  fn: async () => {
    const backend = await initBackend("wasm");
    const root = await Deno.makeTempDir({ prefix: "blockem-readouts-" });
    try {
      const cfg = resolveConfig("tiny", {
        "block.compareReadouts": "true",
        "block.lambdaGrid": "0.1",
        "block.otherLambdaGrid": "1,3",
        "finetune.domains": "medical",
        "random.draws": "1",
      });
      const run = openRun("tiny", cfg, root);
      const { results } = await runGrid("main", run, { root, backend, force: false, log: quiet });
      const paths = runPaths("tiny", { base: 0, finetune: 1 });
      // The other readout's λ comes from its own selection over its own grid.
      const other = JSON.parse(await Deno.readTextFile(join(root, paths.selectionReadout("encoder"))));
      assertEquals([other.readout, other.trials.map((t: { lambda: number }) => t.lambda)], ["encoder", [
        1,
        3,
      ]]);
      const report = JSON.parse(
        await Deno.readTextFile(join(root, runPaths("tiny").experiment("main"), "report.json")),
      );
      const methods = [...new Set(report.rows.map((r: { method: string }) => r.method))].sort();
      assertEquals(methods, ["block", "block-encoder", "naive", "random", "random-encoder"]);
      const encoderCell = results.find((r) => r.name.includes("/block-encoder "))!;
      const record = JSON.parse(await Deno.readTextFile(join(root, encoderCell.dir, "result.json"))).record;
      assertEquals([record.readout, record.lambda], ["encoder", other.chosenLambda]);
      // The report carries each base model's readout account.
      assertEquals(report.readouts.length, 1);
      const account = report.readouts[0];
      assertOk(account.selected.decoder >= 0 && account.selected.decoder <= 1 + 1e-9);
      assertOk(account.selected.encoder >= 0 && account.selected.encoder <= 1 + 1e-9);
      assertEquals(account.random.length, 1);
      const decoderCell = results.find((r) => r.name.includes("/block "))!;
      assertEquals(
        JSON.parse(await Deno.readTextFile(join(root, decoderCell.dir, "result.json"))).record.readout,
        "decoder",
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
