/**
 * A plan: the cells of one or more grids, each with its content-hash id,
 * and the resolved config they were planned under, written to
 * `results/<profile>/plan/`. Any machine with the checkout and the upstream
 * outputs runs a cell from it (`deno task cell --id <id>`): the local pool of
 * worker processes, or a cluster's job array (`array.sh`).
 * @module
 */
import { join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { readJsonValidated } from "../core/schema.ts";
import { PLAN_FILE } from "../runs/file_schemas.ts";
import { readJson } from "../core/atomic.ts";
import { sha256File } from "../core/hash.ts";
import { type Cell, cellId } from "../runs/cell.ts";
import type { Run } from "../runs/run.ts";
import type { Manifest } from "../runs/stage.ts";
import { cellStage } from "../stages/cell.ts";
import { runPaths } from "../runs/paths.ts";
import type { RunConfig } from "../config/schema.ts";

/** A written plan. */
export interface Plan {
  profile: string;
  config: RunConfig;
  /** The grids planned (or, for the local pool's private plans, the batch's label). */
  grids: string[];
  /** Each cell with the hashes of the upstream files it reads, as they were when it was planned. */
  cells: { id: string; grids: string[]; cell: Cell; inputs?: Record<string, string> }[];
}

/** Where a profile's plan lives. */
export function planPaths(profile: string) {
  const dir = `${runPaths(profile).summaryDir}/plan`;
  return {
    dir,
    plan: `${dir}/plan.json`,
    ids: `${dir}/ids.txt`,
    array: `${dir}/array.sh`,
    logs: `${dir}/logs`,
  };
}

/** The plan of `cells` (grid by grid), one entry per distinct id. */
export function makePlan(
  profile: string,
  config: RunConfig,
  gridCells: readonly { grid: string; cells: readonly Cell[] }[],
): Plan {
  const byId = new Map<string, Plan["cells"][number]>();
  for (const { grid, cells } of gridCells) {
    for (const cell of cells) {
      const id = cellId(cell, config);
      const entry = byId.get(id) ?? { id, grids: [], cell };
      if (!entry.grids.includes(grid)) entry.grids.push(grid);
      byId.set(id, entry);
    }
  }
  return { profile, config, grids: gridCells.map((g) => g.grid), cells: [...byId.values()] };
}

/**
 * A job-array script in Slurm's syntax: task i runs the i-th cell of `ids.txt`
 * from the checkout at `checkout`, with results under `root` (absolute).
 * Resources are per cell: one core (wasm is single-threaded) and the memory
 * a cell needs.
 */
export function jobArrayScript(plan: Plan, checkout: string, root: string): string {
  const p = planPaths(plan.profile);
  return `#!/usr/bin/env bash
# One array task per cell of ${
    plan.grids.join(", ")
  } (profile ${plan.profile}); written by \`deno task plan\`.
# Submit: sbatch ${root}/${p.array}   Resubmit some: sbatch --array=<indices> ${root}/${p.array}
#SBATCH --job-name=blockem-${plan.profile}
#SBATCH --array=0-${plan.cells.length - 1}
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --output=${root}/${p.logs}/%A_%a.out
set -euo pipefail
ROOT="${root}"
cd "${checkout}"
ID="$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$ROOT/${p.ids}")"
# The cell may write only under the results root; \$DENO overrides the deno on PATH.
exec "\${DENO:-deno}" run --frozen --allow-read --allow-write="$ROOT/data,$ROOT/results" --allow-env --allow-ffi \\
  tasks/cell.ts --profile ${plan.profile} --root "$ROOT" --id "$ID"
`;
}

/**
 * Write the plan, its id list and its job-array script under `root`; with
 * `file`, only the plan, to that path (the local pool's private plans).
 */
export async function writePlan(
  root: string,
  plan: Plan,
  checkout: string,
  file?: string,
): Promise<string[]> {
  if (file) {
    await writeJsonAtomic(join(root, file), plan);
    return [file];
  }
  const p = planPaths(plan.profile);
  await writeJsonAtomic(join(root, p.plan), plan);
  await writeFileAtomic(join(root, p.ids), plan.cells.map((c) => c.id).join("\n") + "\n");
  await writeFileAtomic(join(root, p.array), jobArrayScript(plan, resolve(checkout), root));
  await Deno.mkdir(join(root, p.logs), { recursive: true });
  await Deno.chmod(join(root, p.array), 0o755);
  return [p.plan, p.ids, p.array];
}

/** Read a plan (the profile's, or `file`) and find one cell by id, refusing a plan whose ids no longer match. */
export async function planCell(
  root: string,
  profile: string,
  id: string,
  file = planPaths(profile).plan,
): Promise<{ plan: Plan; cell: Cell }> {
  const plan = await readPlan(root, file, profile);
  if (plan.profile !== profile) throw new Error(`${file} plans profile '${plan.profile}', not '${profile}'`);
  const entry = plan.cells.find((c) => c.id === id);
  if (!entry) throw new Error(`Cell ${id} is not in ${file}`);
  if (cellId(entry.cell, plan.config) !== id) {
    throw new Error(`Cell ${id} in ${file} no longer hashes to its id: re-plan`);
  }
  const changed = await changedInput(root, entry);
  if (changed) {
    throw new Error(`Cell ${id}: ${changed} changed since ${file} was written; re-plan before running it`);
  }
  return { plan, cell: entry.cell };
}

/**
 * The plan with each cell's upstream files hashed as they are now, so that a
 * cell run later from it refuses changed upstream files instead of writing
 * other bytes under the same id.
 */
export async function withInputs(plan: Plan, run: Run): Promise<Plan> {
  const cells = [];
  for (const entry of plan.cells) {
    const inputs: Record<string, string> = {};
    for (const p of cellStage(run, entry.cell).inputs) {
      // A missing file is left for the cell itself to name when it runs.
      const hash = await sha256File(join(run.root, p)).catch(() => null);
      if (hash !== null) inputs[p] = hash;
    }
    cells.push({ ...entry, inputs });
  }
  return { ...plan, cells };
}

/** The first upstream file of a planned cell that changed since it was planned; null when none did. */
export async function changedInput(root: string, entry: Plan["cells"][number]): Promise<string | null> {
  for (const [p, hash] of Object.entries(entry.inputs ?? {})) {
    if (await sha256File(join(root, p)).catch(() => "missing") !== hash) return p;
  }
  return null;
}

/**
 * The planned cells finished from other upstream files than the plan
 * records (an upstream stage recomputed since, with other bytes): their ids
 * do not cover upstream files, so they are not recomputed in place and
 * must be removed before the plan can run them.
 */
export async function staleCells(root: string, plan: Plan): Promise<{ dir: string; file: string }[]> {
  const stale = [];
  for (const { id, cell, inputs } of plan.cells) {
    const dir = runPaths(plan.profile, { base: cell.base, finetune: cell.finetune }).cell(id);
    const manifest = await readJson<Manifest>(join(root, dir, "manifest.json")).catch(() => null);
    const file = manifest &&
      Object.keys(inputs ?? {}).find((p) =>
        manifest.inputs?.[p] !== undefined && manifest.inputs[p] !== inputs![p]
      );
    if (file) stale.push({ dir, file });
  }
  return stale;
}

/** A planned cell not finished yet, with its array index (its line in `ids.txt`, from 0). */
export interface Unfinished {
  index: number;
  id: string;
  label: string;
}

/** The planned cells without a finished result (failed, lost or never run): what to resubmit. */
export async function unfinishedCells(
  root: string,
  profile: string,
): Promise<{ plan: Plan; unfinished: Unfinished[] }> {
  const plan = await readPlan(root, planPaths(profile).plan, profile);
  const unfinished: Unfinished[] = [];
  for (const [index, entry] of plan.cells.entries()) {
    const { id, cell } = entry;
    const dir = runPaths(profile, { base: cell.base, finetune: cell.finetune }).cell(id);
    // Finished means finished from the upstream files it was planned with, and those are still there.
    const manifest = await readJson<Manifest>(join(root, dir, "manifest.json")).catch(() => null);
    const finished = manifest !== null &&
      Object.entries(entry.inputs ?? {}).every(([p, h]) => manifest.inputs?.[p] === h) &&
      await changedInput(root, entry) === null;
    if (!finished) {
      unfinished.push({
        index,
        id,
        label: `${cell.domain}/${cell.method} base-${cell.base}/ft-${cell.finetune}`,
      });
    }
  }
  return { plan, unfinished };
}

/** A plan file, validated: its config and every cell. */
async function readPlan(root: string, file: string, profile: string): Promise<Plan> {
  try {
    await Deno.stat(join(root, file));
  } catch {
    throw new Error(`No plan at ${file}: run \`deno task plan --profile ${profile}\` first`);
  }
  return await readJsonValidated(join(root, file), PLAN_FILE) as Plan;
}
