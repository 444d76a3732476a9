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
