import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { sha256File } from "../core/hash.ts";
import { prepareGrid, runExperiment } from "./experiment.ts";
import { openRun } from "../runs/run.ts";
import { makePlan, planPaths, unfinishedCells, writePlan } from "./plan.ts";
import { resolveConfig } from "../config/profiles.ts";
import { runPaths } from "../runs/paths.ts";
import { cellOutputHashes } from "../testing/cells.ts";
import {
  arrayTaskStates,
  sbatch,
  slurmUnavailable,
  startLocalSlurm,
  waitForJob,
} from "../testing/slurm_local.ts";

/** Every cell's output hashes and the grid report's. */
async function outputHashes(root: string): Promise<Record<string, unknown>> {
  const report: Record<string, string> = {};
  for (const f of ["report.json", "report.md", "report.csv"]) {
    const p = `${runPaths("tiny").experiment("main")}/${f}`;
    report[p] = await sha256File(join(root, p));
  }
  return { cells: await cellOutputHashes(root, "tiny"), report };
}

const unavailable = slurmUnavailable();
if (unavailable) console.log(`Slurm test skipped: ${unavailable}`);

Deno.test({
  name:
    "a grid as a Slurm job array on a real single-node Slurm: same bytes as the local pool; lost cells resubmitted alone",
  ignore: unavailable !== null,
  fn: async () => {
    const backend = await initBackend("wasm");
    const [cluster, local, state] = [
      await Deno.makeTempDir(),
      await Deno.makeTempDir(),
      await Deno.makeTempDir(),
    ];
    const slurm = await startLocalSlurm(state);
    try {
      const cfg = resolveConfig("tiny");
      const ctx = { root: cluster, backend, force: false, log: () => {} };
      const { cells } = await prepareGrid("main", openRun("tiny", cfg, cluster), ctx);
      const plan = makePlan("tiny", cfg, [{ grid: "main", cells }]);
      await writePlan(cluster, plan, Deno.cwd());
      const script = join(cluster, planPaths("tiny").array);
      const env = { ...slurm.env, DENO: Deno.execPath() };
      const job = await sbatch(script, env);
      await waitForJob(job, env);
      const states = await arrayTaskStates(job, env);
      assertEquals(states.length, plan.cells.length);
      assertOk(states.every((s) => s.state === "COMPLETED" && s.exitCode === "0:0"), JSON.stringify(states));
      assertEquals((await unfinishedCells(cluster, "tiny")).unfinished, []);

      // A lost cell is listed with its array index and rerun alone.
      const lost = plan.cells[1];
      await Deno.remove(join(cluster, runPaths("tiny").cell(lost.id)), { recursive: true });
      const { unfinished } = await unfinishedCells(cluster, "tiny");
      assertEquals(unfinished.map((u) => [u.index, u.id]), [[1, lost.id]]);
      const again = await sbatch(script, env, [`--array=${unfinished.map((u) => u.index).join(",")}`]);
      await waitForJob(again, env);
      assertEquals((await arrayTaskStates(again, env)).map((s) => s.state), ["COMPLETED"]);
      assertEquals((await unfinishedCells(cluster, "tiny")).unfinished, []);

      // The experiment merges the array's cells (every one reused) and writes the report.
      const merged = await runExperiment("main", cfg, cluster, "tiny", { ...ctx, workers: 1 });
      assertOk(merged.results.filter((r) => r.name.startsWith("cell ")).every((r) => r.status === "reused"));
      await runExperiment("main", cfg, local, "tiny", { ...ctx, root: local, workers: 2 });
      assertEquals(await outputHashes(cluster), await outputHashes(local));
    } finally {
      await slurm.stop();
      for (const d of [cluster, local, state]) await Deno.remove(d, { recursive: true });
    }
  },
});
