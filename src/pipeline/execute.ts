/**
 * Runs a set of stages in the order their inputs and outputs give
 * (`runs/graph.ts`). With one worker, one stage at a time in this process.
 * With several, stages the stage pool can rebuild run side by side on worker
 * processes as soon as their inputs exist (`stage_pool.ts`), experiment cells
 * ready at the same moment go to the cell pool together (`cell_pool.ts`),
 * and any other stage runs here when nothing else is running.
 * @module
 */
import { orderStages } from "../runs/graph.ts";
import type { Run } from "../runs/run.ts";
import { isCurrent, runStage, type StageContext, type StageResult, type StageSpec } from "../runs/stage.ts";
import { runCells } from "./cell_pool.ts";
import { stagePool } from "./stage_pool.ts";

/**
 * Run (or reuse) `stages`. `label` names a batch of cells in progress lines.
 * Returns what each stage did, in the order they finished.
 */
export async function runStages(
  stages: readonly StageSpec[],
  run: Run,
  ctx: StageContext,
  label = "cells",
): Promise<StageResult[]> {
  const ordered = orderStages(stages);
  const producer = new Map<string, StageSpec>();
  for (const s of ordered) for (const o of s.outputs) producer.set(o, s);
  const done = new Set<StageSpec>();
  const ready = (s: StageSpec) =>
    s.inputs.every((i) => {
      const p = producer.get(i);
      return !p || p === s || done.has(p);
    });
  const results: StageResult[] = [];
  const workers = ctx.workers ?? 1;
  const pool = workers > 1 ? stagePool(run, ctx) : undefined;
  const running = new Map<StageSpec, Promise<void>>();
  const failures: Error[] = [];
  const checked = new Set<StageSpec>();
  try {
    while (done.size < ordered.length) {
      const now = ordered.filter((s) => !done.has(s) && !running.has(s) && ready(s));
      const plain = now.filter((s) => !s.cell);
      if (pool && failures.length === 0) {
        // A lone stage runs here (no process to start); several go to workers, one per core.
        const away = running.size === 0 && plain.length === 1 ? [] : plain.filter((s) => pool.portable(s));
        // A finished stage is reused here: a worker process would only say so. Each stage's inputs are
        // hashed once: they are final by the time it is ready.
        const current = [];
        for (const s of away.filter((x) => !checked.has(x))) {
          checked.add(s);
          if (await isCurrent(s, ctx)) current.push(s);
        }
        if (current.length > 0) {
          for (const s of current) {
            results.push(await runStage(s, ctx));
            done.add(s);
          }
          continue;
        }
        if (away.length > 0 && running.size < workers) {
          for (const s of away.slice(0, workers - running.size)) {
            running.set(
              s,
              pool.run(s).then(
                (r) => void results.push(r),
                (err) => void failures.push(err as Error),
              ).finally(() => {
                running.delete(s);
                done.add(s);
              }),
            );
          }
          continue;
        }
      }
      if (running.size > 0) {
        await Promise.race(running.values());
        continue;
      }
      if (failures.length > 0) throw failures[0];
      const next = workers > 1 ? plain[0] : now[0];
      if (next) {
        results.push(await runStage(next, ctx));
        done.add(next);
        continue;
      }
      // Only cells are ready: they are independent of each other, so they run side by side. Finished
      // ones are reused here: a worker process apiece would only say so.
      const cells = now.filter((s) => s.cell);
      const stale: StageSpec[] = [];
      for (const s of cells) {
        if (await isCurrent(s, ctx)) results.push(await runStage(s, ctx));
        else stale.push(s);
      }
      results.push(...await runCells(label, stale.map((s) => s.cell!), run, ctx, workers));
      cells.forEach((s) => done.add(s));
    }
    if (failures.length > 0) throw failures[0];
  } finally {
    await Promise.allSettled(running.values());
    await pool?.close();
  }
  return results;
}
