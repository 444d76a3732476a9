/**
 * The audit's re-run: one sampled finished stage (a cell where the profile
 * has cells, otherwise a fine-tune or the evaluation) run again from copies
 * of its recorded inputs in a scratch folder; its outputs must come out with
 * the recorded bytes.
 * @module
 */
import { dirname, join } from "node:path";
import { sha256File } from "../core/hash.ts";
import { type BackendInfo, backendKey, withBlasThreads } from "../backend/backend.ts";
import type { Manifest } from "../runs/stage.ts";
import { Rng } from "../core/rng.ts";
import type { Cell } from "../runs/cell.ts";
import { openRun, type Run } from "../runs/run.ts";
import { runStage, stageBlasThreads, type StageContext, type StageSpec } from "../runs/stage.ts";
import { catalog } from "../stages/catalog.ts";
import { cellStage } from "../stages/cell.ts";
import { type AuditCheck, chainedStages, type RecordedStage } from "./audit_chain.ts";

/**
 * A scratch folder under the root's `results/`, or under the working
 * directory's where the task may not write beside the results it audits
 * (tasks may write only `data/` and `results/`); removed by the caller.
 */
export async function scratchDir(root: string, kind: string): Promise<string> {
  const beside = join(root, "results");
  const { state } = await Deno.permissions.query({ name: "write", path: beside });
  const dir = state === "granted" ? beside : "results";
  await Deno.mkdir(dir, { recursive: true });
  return await Deno.makeTempDir({ dir, prefix: `.audit-${kind}-` });
}

/** The stages the re-run samples from: the cells a report reads (else any), else fine-tunes and the evaluation. */
function candidates(stages: readonly RecordedStage[]): RecordedStage[] {
  const cells = stages.filter((s) => s.manifest.stage.startsWith("cell "));
  const read = chainedStages(cells.length > 0 ? stages : []).chained.filter((s) => cells.includes(s));
  if (read.length > 0) return read;
  if (cells.length > 0) return cells;
  return stages.filter((s) =>
    /^base-\d+\/ft-\d+\//.test(s.manifest.stage) || s.manifest.stage === "evaluate"
  );
}

/** The stage that wrote `recorded`, built from the current code and config against `scratchRun`. */
function rebuild(recorded: RecordedStage, scratchRun: Run, ctx: StageContext): StageSpec | undefined {
  const cell = (recorded.manifest.config as { cell?: Cell } | null)?.cell;
  if (cell) return cellStage(scratchRun, cell);
  return catalog(scratchRun, ctx.backend).find((s) => s.name === recorded.manifest.stage);
}

/**
 * Re-run one finished stage from copies of its recorded inputs and compare
 * output hashes: the stage named `stage` (any recorded stage), else a
 * seeded-random one of the candidates.
 */
export async function auditRerun(
  run: Run,
  stages: readonly RecordedStage[],
  ctx: StageContext,
  seed: number,
  stage?: string,
): Promise<AuditCheck> {
  const pool = stage === undefined ? candidates(stages) : stages.filter((s) => s.manifest.stage === stage);
  if (pool.length === 0) {
    return {
      name: "rerun",
      ok: false,
      detail: "nothing finished to re-run",
      violations: [
        stage === undefined ? "no cell, fine-tune or evaluation recorded" : `no recorded stage '${stage}'`,
      ],
    };
  }
  const pick = pool[new Rng(seed).int(pool.length)];
  const { manifest } = pick;
  // Bytes are reproducible on the backend that made them, not across backends.
  // The re-run uses the stage's own BLAS thread count where it fixes one (cells), as the run did.
  const rebuilt = rebuild(pick, run, ctx);
  const mismatch = backendMismatch(manifest.backend, ctx.backend, rebuilt && stageBlasThreads(rebuilt));
  if (mismatch) {
    return {
      name: "rerun",
      ok: false,
      detail: `${manifest.stage}: not re-run, recorded on ${backendKey(manifest.backend)}`,
      violations: [`${pick.path}: ${mismatch}`],
    };
  }
  const scratch = await scratchDir(run.root, "rerun");
  try {
    // The copies must be the recorded inputs: a re-run from edited files proves nothing.
    const changed: string[] = [];
    for (const [input, hash] of Object.entries(manifest.inputs)) {
      const onDisk = await sha256File(join(run.root, input)).catch(() => "missing");
      if (onDisk !== hash) {
        changed.push(`${input}: on disk ${onDisk.slice(0, 12)} ≠ recorded ${hash.slice(0, 12)}`);
      }
      await Deno.mkdir(join(scratch, dirname(input)), { recursive: true });
      if (onDisk !== "missing") await Deno.copyFile(join(run.root, input), join(scratch, input));
    }
    if (changed.length > 0) {
      return {
        name: "rerun",
        ok: false,
        detail: `${manifest.stage}: not re-run, its recorded inputs changed`,
        violations: changed,
      };
    }
    const spec = rebuild(pick, openRun(run.profile, run.config, scratch), ctx);
    if (!spec) {
      return {
        name: "rerun",
        ok: false,
        detail: `${manifest.stage}: no such stage under the current config`,
        violations: [`${pick.path}: the profile's current config has no stage '${manifest.stage}'`],
      };
    }
    const recordedInputs = Object.keys(manifest.inputs).sort().join("\n");
    if ([...spec.inputs].sort().join("\n") !== recordedInputs) {
      return {
        name: "rerun",
        ok: false,
        detail: `${manifest.stage}: not re-run, it now reads other files`,
        violations: [
          `${pick.path}: under the current config and code the stage reads other files than it recorded reading (audit with the config it ran under)`,
        ],
      };
    }
    try {
      await runStage(spec, { ...ctx, root: scratch, force: true, log: () => {} });
    } catch (err) {
      return {
        name: "rerun",
        ok: false,
        detail: `${manifest.stage}: the re-run failed`,
        violations: [`${pick.path}: re-running stage '${manifest.stage}' failed: ${(err as Error).message}`],
      };
    }
    const violations: string[] = [];
    for (const [file, hash] of Object.entries(manifest.outputs)) {
      const again = await sha256File(join(scratch, file)).catch(() => "missing");
      if (again !== hash) {
        violations.push(`${file}: re-run ${again.slice(0, 12)} ≠ recorded ${hash.slice(0, 12)}`);
      }
    }
    if (`${spec.dir}/manifest.json` !== pick.path) {
      violations.push(
        `${pick.path}: the stage now writes ${spec.dir} (config or code changed since it ran)`,
      );
    }
    return {
      name: "rerun",
      ok: violations.length === 0,
      detail: `${manifest.stage} re-run on ${ctx.backend.name}`,
      violations,
    };
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

/**
 * Why a stage recorded on `recorded` cannot be re-run to the same bytes
 * here, with what to change; undefined when it can. `stageThreads` is the
 * BLAS thread count the stage runs on (`stageBlasThreads`); undefined for a
 * stage that cannot be rebuilt here.
 */
export function backendMismatch(
  recorded: Manifest["backend"],
  here: BackendInfo,
  stageThreads: number | undefined,
): string | undefined {
  const want = backendKey(recorded), have = backendKey(withBlasThreads(here, stageThreads));
  if (want === have) return undefined;
  const prefix = `recorded on ${want}, this audit runs on ${have}`;
  if (recorded.name !== here.name) return `${prefix}: audit with --backend ${recorded.name}`;
  if ((recorded.kernels === "stock") !== (here.kernels === "stock")) {
    return `${prefix}: audit ${recorded.kernels === "stock" ? "with" : "without"} BLOCKEM_KERNELS=stock`;
  }
  if (recorded.blas && !here.blas) {
    return `${prefix}: audit with OpenBLAS (libopenblas0-pthread, --allow-ffi)`;
  }
  if (!recorded.blas && here.blas) return `${prefix}: audit with BLOCKEM_BLAS=off`;
  if (recorded.blas && here.blas && recorded.blas.core !== here.blas.core) {
    return `${prefix}: OpenBLAS chose ${here.blas.core} kernels here, ${recorded.blas.core} there; re-run on such a CPU`;
  }
  return `${prefix}: audit with BLOCKEM_BLAS_THREADS=${recorded.blas?.threads}`;
}
