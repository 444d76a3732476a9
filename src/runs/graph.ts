/**
 * Stage order from declared inputs and outputs, in the manner of DVC's
 * graph: a stage runs after every stage that produces one of its inputs.
 * No stage list is written in order by hand anywhere else.
 * @module
 */
import type { StageSpec } from "./stage.ts";

/** One stage per output folder (the first given wins), in the given order. */
function unique(stages: readonly StageSpec[]): StageSpec[] {
  const seen = new Set<string>();
  return stages.filter((s) => !seen.has(s.dir) && seen.add(s.dir));
}

/** Which stage produces each declared output; two producers of one file are an error. */
function producers(stages: readonly StageSpec[]): Map<string, StageSpec> {
  const byOutput = new Map<string, StageSpec>();
  for (const s of stages) {
    for (const o of s.outputs) {
      const other = byOutput.get(o);
      if (other && other !== s) {
        throw new Error(`Stages '${other.name}' and '${s.name}' both declare the output ${o}`);
      }
      byOutput.set(o, s);
    }
  }
  return byOutput;
}

/**
 * `stages` (one per folder) ordered so that each comes after the stages
 * producing its inputs; otherwise the given order is kept. Inputs no stage
 * here produces must exist already. Throws on a cycle, naming its stages.
 */
export function orderStages(stages: readonly StageSpec[]): StageSpec[] {
  const list = unique(stages);
  const byOutput = producers(list);
  const state = new Map<StageSpec, "visiting" | "done">();
  const ordered: StageSpec[] = [];
  const visit = (s: StageSpec, path: StageSpec[]) => {
    if (state.get(s) === "done") return;
    if (state.get(s) === "visiting") {
      const cycle = [...path.slice(path.indexOf(s)), s].map((x) => x.name).join(" → ");
      throw new Error(`Stage cycle: ${cycle}`);
    }
    state.set(s, "visiting");
    for (const input of s.inputs) {
      const p = byOutput.get(input);
      if (p && p !== s) visit(p, [...path, s]);
    }
    state.set(s, "done");
    ordered.push(s);
  };
  for (const s of list) visit(s, []);
  return ordered;
}

/**
 * The stages of `catalog` needed to produce `targets`: their producers and,
 * transitively, the producers of those stages' inputs, ordered. Targets and
 * inputs no catalog stage produces must exist already (the stage that
 * reads one says which is missing).
 */
export function upstreamOf(catalog: readonly StageSpec[], targets: readonly string[]): StageSpec[] {
  const list = unique(catalog);
  const byOutput = producers(list);
  const needed = new Set<StageSpec>();
  const pending = [...targets];
  while (pending.length > 0) {
    const s = byOutput.get(pending.pop()!);
    if (!s || needed.has(s)) continue;
    needed.add(s);
    pending.push(...s.inputs);
  }
  return orderStages(list.filter((s) => needed.has(s)));
}
