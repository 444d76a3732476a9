/**
 * Independent cells on a local pool of worker processes, one per core:
 * tfjs-wasm trains on one thread, so N processes on N cores run N cells at
 * once. Each worker is `tasks/cell.ts` on a plan file, the same entry point
 * a cluster's job array uses; with one worker the cells run in this process.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashJson } from "../core/hash.ts";
import { startProgress } from "../core/progress.ts";
import type { Cell } from "../runs/cell.ts";
import type { Run } from "../runs/run.ts";
import { runStage, type StageContext, type StageResult } from "../runs/stage.ts";
import { cellStage } from "../stages/cell.ts";
import { makePlan, planPaths, withInputs, writePlan } from "./plan.ts";
import { runWorkerTask } from "./worker_process.ts";

const CELL_TASK = fileURLToPath(new URL("../../tasks/cell.ts", import.meta.url));

/** Worker count: `BLOCKEM_WORKERS`, else the machine's cores. */
export function defaultWorkers(): number {
  const env = Number(Deno.env.get("BLOCKEM_WORKERS") ?? "");
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, navigator.hardwareConcurrency || 1);
}

/** Run `cells` (deduplicated by id, in order) on `workers` processes; every cell is tried, failures listed. */
export async function runCells(
  label: string,
  cells: readonly Cell[],
  run: Run,
  ctx: StageContext,
  workers: number,
): Promise<StageResult[]> {
  const { profile, root } = run;
  if (workers <= 1 || cells.length <= 1) {
    const results: StageResult[] = [];
    for (const cell of cells) results.push(await runStage(cellStage(run, cell), ctx));
    return results;
  }
  const plan = await withInputs(makePlan(profile, run.config, [{ grid: label, cells }]), run);
  // A plan of its own per pool run, named by content, so concurrent runs never overwrite each other's.
  const name = `pool-${hashJson(plan).slice(0, 12)}`;
  const planFile = `${planPaths(profile).dir}/${name}.json`;
  await writePlan(root, plan, Deno.cwd(), planFile);
  const queue = plan.cells.map((c) => c.id);
  const results = new Map<string, StageResult>();
  const failed: { id: string; code: number; tail: string }[] = [];
  // Workers' own progress lines would interleave; the pool reports cells done, with an ETA.
  const progress = startProgress(`${label}: ${workers} workers`, queue.length);
  let done = 0;
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const start = performance.now();
      const out = await runWorkerTask(CELL_TASK, run, ctx, ["--plan", planFile, "--id", id]);
      const stdout = new TextDecoder().decode(out.stdout), stderr = new TextDecoder().decode(out.stderr);
      progress.update(++done, { failed: String(failed.length + (out.success ? 0 : 1)) });
      if (!out.success) {
        failed.push({ id, code: out.code, tail: stderr.trim().split("\n").slice(-1)[0] ?? "" });
        ctx.log(`cell ${id}: failed (exit ${out.code})`);
        continue;
      }
      const line = /^(.*): (ran|reused) → (.*)$/m.exec(stdout);
      const status = line?.[2] === "reused" ? "reused" : "ran";
      ctx.log(`${line?.[1] ?? `cell ${id}`}: ${status === "ran" ? "done" : "reused"} (worker)`);
      results.set(id, {
        name: line?.[1] ?? `cell ${id}`,
        status,
        seconds: (performance.now() - start) / 1000,
        dir: line?.[3] ?? "",
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, queue.length) }, worker));
  progress.stop();
  // The private plan served this run only.
  await Deno.remove(join(root, planFile)).catch(() => {});
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} of ${plan.cells.length} cell(s) failed: ${
        failed.map((f) => `${f.id} (exit ${f.code}: ${f.tail})`).join("; ")
      }; rerun to retry only them (finished cells are reused)`,
    );
  }
  return plan.cells.map((c) => results.get(c.id)!);
}
