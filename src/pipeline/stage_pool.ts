/**
 * Stages other than cells on worker processes, side by side: the upstream
 * chains of several base models (pretraining, SAE, discovery, λ selection)
 * and a pipeline's fine-tunes are independent of each other, and one stage
 * keeps one core busy (its matrix products are too small for BLAS threads to
 * help: a pretraining stage on two threads ran at 105% CPU). A worker is
 * `tasks/stage.ts`, which rebuilds the stage by name from the stage catalog
 * under the same config, so it writes what this process would have written.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeJsonAtomic } from "../core/atomic.ts";
import { hashJson } from "../core/hash.ts";
import type { RunConfig } from "../config/schema.ts";
import type { Run } from "../runs/run.ts";
import type { StageContext, StageResult, StageSpec } from "../runs/stage.ts";
import { catalog } from "../stages/catalog.ts";
import { planPaths } from "./plan.ts";
import { runWorkerTask } from "./worker_process.ts";

const STAGE_TASK = fileURLToPath(new URL("../../tasks/stage.ts", import.meta.url));

/** What identifies a stage beyond its name: a worker must rebuild exactly this one. */
function fingerprint(s: StageSpec): string {
  return hashJson({
    name: s.name,
    dir: s.dir,
    config: s.config,
    seeds: s.seeds,
    inputs: s.inputs,
    outputs: s.outputs,
    code: s.code,
    blasThreads: s.blasThreads ?? null,
  });
}

/** The run file a worker reads its profile and config from. */
export interface StageRunFile {
  profile: string;
  config: RunConfig;
}

/** A pool that runs catalog stages of `run` in worker processes; `portable` says which stages it can take. */
export function stagePool(run: Run, ctx: StageContext) {
  const known = new Map(catalog(run, ctx.backend).map((s) => [s.name, fingerprint(s)]));
  const body: StageRunFile = { profile: run.profile, config: run.config };
  // Named by content, so concurrent runs never overwrite each other's.
  const runFile = `${planPaths(run.profile).dir}/stages-${hashJson(body).slice(0, 12)}.json`;
  let written: Promise<void> | undefined;
  return {
    /** Whether a worker rebuilds exactly `s` from the catalog. */
    portable: (s: StageSpec) => !s.cell && known.get(s.name) === fingerprint(s),
    /** Run `s` in a worker process; rejects with the worker's last error line. */
    async run(s: StageSpec): Promise<StageResult> {
      await (written ??= writeJsonAtomic(join(run.root, runFile), body));
      const start = performance.now();
      ctx.log(`${s.name}: running (worker)`);
      const out = await runWorkerTask(STAGE_TASK, run, ctx, ["--run-file", runFile, "--name", s.name]);
      if (!out.success) {
        const tail = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0] ?? "";
        throw new Error(`Stage '${s.name}' failed in its worker (exit ${out.code}): ${tail}`);
      }
      const line = /^(.*): (ran|reused) → (.*)$/m.exec(new TextDecoder().decode(out.stdout));
      const status = line?.[2] === "reused" ? "reused" : "ran";
      const seconds = (performance.now() - start) / 1000;
      ctx.log(`${s.name}: ${status === "ran" ? `done in ${seconds.toFixed(1)}s` : "reused"} (worker)`);
      return { name: s.name, status, seconds, dir: s.dir };
    },
    /** Remove the run file (it served this pool only). */
    async close(): Promise<void> {
      if (written) await Deno.remove(join(run.root, runFile)).catch(() => {});
    },
  };
}
