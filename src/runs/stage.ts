/**
 * A pipeline stage in the manner of DVC: declared inputs, config, seeds and
 * outputs, one output folder, and a manifest of hashes. A stage whose inputs,
 * config, code and backend hash the same as its manifest is skipped. The
 * order stages run in follows from their inputs and outputs (`graph.ts`).
 * @module
 */
import { dirname, join, relative } from "node:path";
import { readJson, writeJsonAtomic } from "../core/atomic.ts";
import { type BackendInfo, backendKey, blasRecord, withBlasThreads } from "../backend/backend.ts";
import { nativeBlas } from "../backend/native/openblas.ts";
import { hashJson, sha256File } from "../core/hash.ts";
import { clearSnapshot } from "../optim/snapshot.ts";
import type { Cell } from "./cell.ts";
import { codeHash, versions } from "./provenance.ts";

/** What every stage records. */
export interface Manifest {
  stage: string;
  config: unknown;
  configHash: string;
  seeds: Record<string, number>;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  backend: {
    name: string;
    adapter: unknown;
    kernels?: string | null;
    blas?: { name: string; config: string; core: string; threads: number };
  };
  codeHash: string;
  versions: Record<string, string>;
  wallSeconds: number;
}

/** A stage to run. Paths are relative to the project root `ctx.root`. */
export interface StageSpec {
  name: string;
  /** The one folder this stage writes. */
  dir: string;
  config: unknown;
  seeds: Record<string, number>;
  inputs: string[];
  /**
   * The files it promises: what later stages may name as inputs. `run`
   * must write each (it may write more; all are recorded).
   */
  outputs: string[];
  /** The module that defines `run` (its `import.meta.url`): its import closure is the stage's code hash. */
  code: string;
  /** Writes the outputs into `dir`; returns the paths of everything it wrote. */
  run: (run: StageRun) => Promise<string[]>;
  /** Set on an experiment cell's stage: a worker process can run it from a plan. */
  cell?: Cell;
  /**
   * Content-addressed (a cell): once finished, never recomputed in place from
   * other upstream files, since its folder's name does not cover them.
   */
  immutable?: boolean;
  /**
   * Native BLAS threads this stage runs its products on, whatever the
   * process's default (unset: `STAGE_BLAS_THREADS`); results depend on it,
   * so it is part of the stage's backend key.
   */
  blasThreads?: number;
}

/** What a running stage may use to make itself resumable. */
export interface StageRun {
  /** Hash of the stage's config, seeds, inputs, code and backend: a snapshot is reused only under it. */
  key: string;
  /** Where the stage keeps loop snapshots (inside its own folder; removed when it finishes). */
  resumeDir: string;
  log: (line: string) => void;
}

/** Shared settings of a pipeline run. */
export interface StageContext {
  root: string;
  backend: BackendInfo;
  force: boolean;
  log: (line: string) => void;
  /** Worker processes for independent cells (1: in this process). */
  workers?: number;
}

/** Outcome of one stage. */
export interface StageResult {
  name: string;
  status: "ran" | "reused";
  seconds: number;
  dir: string;
}

/**
 * BLAS threads of a stage that does not fix its own: one. Stages run side by
 * side on worker processes (`pipeline/stage_pool.ts`), and one stage's matrix
 * products are too small for threads to pay: a pretraining stage on two
 * threads ran at 105% CPU. Part of the backend key, so a stage's bytes never
 * depend on where or beside what it ran.
 */
export const STAGE_BLAS_THREADS = 1;

/** The BLAS thread count `spec` runs on. */
export function stageBlasThreads(spec: Pick<StageSpec, "blasThreads">): number {
  return spec.blasThreads ?? STAGE_BLAS_THREADS;
}

/** The hashes a stage's reuse is decided on: its inputs, and its config, code and backend. */
async function stageKey(spec: StageSpec, ctx: StageContext) {
  const inputs: Record<string, string> = {};
  for (const p of spec.inputs) {
    try {
      inputs[p] = await sha256File(join(ctx.root, p));
    } catch {
      throw new Error(`Stage '${spec.name}' is missing its input ${p}: run the upstream stage first`);
    }
  }
  const wanted = {
    configHash: hashJson({ config: spec.config, seeds: spec.seeds }),
    codeHash: await codeHash(spec.code),
    backend: backendKey(withBlasThreads(ctx.backend, stageBlasThreads(spec))),
  };
  return { inputs, wanted };
}

/** Whether `spec` would be reused now (its manifest matches; not forced); false when an input is missing. */
export async function isCurrent(spec: StageSpec, ctx: StageContext): Promise<boolean> {
  if (ctx.force) return false;
  try {
    const { inputs, wanted } = await stageKey(spec, ctx);
    return await upToDate(join(ctx.root, spec.dir, "manifest.json"), inputs, wanted, ctx.root);
  } catch {
    return false;
  }
}

/** Run `spec` unless its manifest shows identical inputs, config and code. */
export async function runStage(spec: StageSpec, ctx: StageContext): Promise<StageResult> {
  const start = performance.now();
  const abs = (p: string) => join(ctx.root, p);
  const { inputs, wanted } = await stageKey(spec, ctx);
  const manifestPath = join(spec.dir, "manifest.json");
  if (!ctx.force && await upToDate(abs(manifestPath), inputs, wanted, ctx.root)) {
    ctx.log(`${spec.name}: reused (inputs, config and code unchanged)`);
    return { name: spec.name, status: "reused", seconds: (performance.now() - start) / 1000, dir: spec.dir };
  }
  await verifyInputs(spec, inputs, ctx.root);
  if (spec.immutable && !ctx.force) await refuseStaleRecompute(spec, inputs, abs(manifestPath));
  ctx.log(`${spec.name}: running`);
  const outputs: Record<string, string> = {};
  const resumeDir = join(abs(spec.dir), ".resume");
  const key = hashJson({ ...wanted, inputs });
  const backend = withBlasThreads(ctx.backend, stageBlasThreads(spec));
  const blas = backend.blas ? nativeBlas() : undefined;
  const threadsBefore = blas?.ok ? blas.setThreads(backend.blas!.threads) : undefined;
  let written: string[];
  try {
    written = await spec.run({ key, resumeDir, log: ctx.log });
  } finally {
    if (blas?.ok && threadsBefore !== undefined) blas.setThreads(threadsBefore);
  }
  for (const p of written) outputs[relative(ctx.root, abs(p))] = await sha256File(abs(p));
  const unwritten = spec.outputs.filter((p) => !(relative(ctx.root, abs(p)) in outputs));
  if (unwritten.length > 0) {
    throw new Error(`Stage '${spec.name}' did not write its declared output ${unwritten[0]}`);
  }
  await clearSnapshot(resumeDir);
  const manifest: Manifest = {
    stage: spec.name,
    config: spec.config,
    configHash: wanted.configHash,
    seeds: spec.seeds,
    inputs,
    outputs,
    backend: {
      name: ctx.backend.name,
      adapter: ctx.backend.adapter,
      kernels: ctx.backend.kernels,
      // Only where a BLAS ran, so manifests written without one keep their bytes.
      ...(backend.blas ? { blas: blasRecord(backend.blas) } : {}),
    },
    codeHash: wanted.codeHash,
    versions: versions(),
    wallSeconds: Math.round((performance.now() - start) / 100) / 10,
  };
  await writeJsonAtomic(abs(manifestPath), manifest);
  const seconds = (performance.now() - start) / 1000;
  ctx.log(`${spec.name}: done in ${seconds.toFixed(1)}s`);
  return { name: spec.name, status: "ran", seconds, dir: spec.dir };
}

async function upToDate(
  manifestPath: string,
  inputs: Record<string, string>,
  wanted: { configHash: string; codeHash: string; backend: string },
  root: string,
): Promise<boolean> {
  let m: Manifest;
  try {
    m = await readJson<Manifest>(manifestPath);
  } catch {
    return false;
  }
  if (
    m.configHash !== wanted.configHash || m.codeHash !== wanted.codeHash ||
    backendKey(m.backend ?? { name: "" }) !== wanted.backend
  ) {
    return false;
  }
  if (hashJson(m.inputs) !== hashJson(inputs)) return false;
  for (const [p, h] of Object.entries(m.outputs ?? {})) {
    try {
      if (await sha256File(join(root, p)) !== h) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The hash the stage that wrote `path` recorded for it: the nearest manifest above the file that lists it. */
export async function recordedHash(
  root: string,
  path: string,
): Promise<{ hash: string; stage: string } | null> {
  for (let dir = dirname(path); dir !== "." && dir !== "/" && dir !== ""; dir = dirname(dir)) {
    let m: Manifest;
    try {
      m = await readJson<Manifest>(join(root, dir, "manifest.json"));
    } catch {
      continue;
    }
    const hash = m.outputs?.[path];
    if (hash !== undefined) return { hash, stage: m.stage };
  }
  return null;
}

/**
 * Every input a stage reads must be what its producer recorded: a file edited
 * or damaged since is refused, naming it, before anything runs.
 */
async function verifyInputs(spec: StageSpec, inputs: Record<string, string>, root: string): Promise<void> {
  for (const [path, hash] of Object.entries(inputs)) {
    const recorded = await recordedHash(root, path);
    if (recorded && recorded.hash !== hash) {
      throw new Error(
        `Stage '${spec.name}' refuses its input ${path}: it is not what stage '${recorded.stage}' wrote ` +
          `(recorded ${recorded.hash.slice(0, 12)}, on disk ${
            hash.slice(0, 12)
          }); re-run that stage or restore the file`,
      );
    }
  }
}

/** A finished content-addressed stage whose upstream files changed is not recomputed under the same name. */
async function refuseStaleRecompute(spec: StageSpec, inputs: Record<string, string>, manifest: string) {
  let m: Manifest;
  try {
    m = await readJson<Manifest>(manifest);
  } catch {
    return; // never finished: nothing to protect
  }
  const changed = Object.keys(inputs).find((p) => m.inputs?.[p] !== undefined && m.inputs[p] !== inputs[p]);
  if (changed) {
    throw new Error(
      `${spec.name} was finished from another ${changed} than the one there now; its name does not ` +
        `cover upstream files, so it is not recomputed in place: remove ${spec.dir} (or use --force) to recompute it`,
    );
  }
}
