/**
 * Runs a set of stages in the order their inputs and outputs give
 * (`runs/graph.ts`): stages one at a time in this process, except that
 * experiment cells ready at the same moment go to the pool of worker
 * processes together.
 * @module
 */
import { orderStages } from "../runs/graph.ts";
import type { Run } from "../runs/run.ts";
import { isCurrent, runStage, type StageContext, type StageResult, type StageSpec } from "../runs/stage.ts";
import { runCells } from "./cell_pool.ts";

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
  while (done.size < ordered.length) {
    const now = ordered.filter((s) => !done.has(s) && ready(s));
    const next = workers > 1 ? now.find((s) => !s.cell) : now[0];
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
  return results;
}
