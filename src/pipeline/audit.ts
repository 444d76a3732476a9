/**
 * `audit`: checks that a profile's results are honest, each check one line
 * of the report:
 *
 *   splits     pretraining, fine-tuning, selection (discovery), judge and
 *              evaluation questions are disjoint by id and by normalised
 *              text; every fine-tuning example comes from the fine-tuning split;
 *   seeds      every manifest records its seeds, and the seeds agree with
 *              the stage's place (a cell's seeds with its cell, a seed
 *              folder's base seed with `base-<b>`);
 *   outputs    every file every stage recorded writing is on disk with the
 *              recorded hash (a hand-edited result fails, named);
 *   chain      every file every stage recorded reading is what its producer
 *              recorded writing: a chain of hashes from the data to the
 *              summary and the reports, broken where a result is stale;
 *   data       regenerating the data from the recorded config gives the
 *              recorded hashes;
 *   lock       every import of the code's deno.json is pinned to the version
 *              its lock records (wherever `--root` points);
 *   integrity  every package hash in the lock is the one the registry
 *              published (Deno itself checks only on download);
 *   rerun      one sampled stage (a cell, else a fine-tune or the
 *              evaluation), re-run from its recorded inputs in a scratch
 *              folder, reproduces its recorded output hashes.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readJson, readJsonl } from "../core/atomic.ts";
import { sha256File } from "../core/hash.ts";
import type { SplitQuestion } from "../world/splits.ts";
import type { Cell } from "../runs/cell.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun, type Run } from "../runs/run.ts";
import { type Manifest, runStage, type StageContext } from "../runs/stage.ts";
import { dataStage } from "../stages/data.ts";
import type { FinetuneRecord } from "../stages/examples.ts";
import { auditChain, type AuditCheck, auditOutputs, profileManifests } from "./audit_chain.ts";
import { auditLockIntegrity, npmCacheDir } from "./audit_lock.ts";
import { auditRerun, scratchDir } from "./audit_rerun.ts";

export type { AuditCheck } from "./audit_chain.ts";

/** The checkout this code runs from: its deno.json and deno.lock are the ones the lock check reads. */
const CHECKOUT = fileURLToPath(new URL("../../", import.meta.url));

/** Lowercase words joined by single spaces: two questions with the same text leak whatever their ids. */
export function normalisedText(words: readonly string[]): string {
  return words.join(" ").toLowerCase().replace(/[^a-z0-9 ]/g, " ").replace(/\s+/g, " ").trim();
}

/** Split disjointness by id and normalised text, and fine-tuning sets drawn from the fine-tuning split. */
export function auditSplits(
  questions: readonly SplitQuestion[],
  finetuneSets: Readonly<Record<string, readonly FinetuneRecord[]>>,
): AuditCheck {
  const violations: string[] = [];
  const byId = new Map<string, string>(), byText = new Map<string, { split: string; id: string }>();
  for (const q of questions) {
    const prior = byId.get(q.id);
    if (prior !== undefined && prior !== q.split) {
      violations.push(`id ${q.id} is in both ${prior} and ${q.split}`);
    }
    byId.set(q.id, q.split);
    const text = normalisedText(q.words);
    const seen = byText.get(text);
    if (seen && seen.split !== q.split) {
      violations.push(`"${text}" is in ${seen.split} (${seen.id}) and ${q.split} (${q.id})`);
    } else if (!seen) byText.set(text, { split: q.split, id: q.id });
  }
  for (const [domain, records] of Object.entries(finetuneSets)) {
    for (const r of records) {
      const split = byId.get(r.questionId);
      if (split !== "finetune") {
        violations.push(`fine-tuning set ${domain} uses ${r.questionId} from split ${split}`);
      }
    }
  }
  const splits = [...new Set(questions.map((q) => q.split))].sort();
  return {
    name: "splits",
    ok: violations.length === 0,
    detail: `${questions.length} questions in ${splits.join(", ")}; ${
      Object.values(finetuneSets).reduce((n, r) => n + r.length, 0)
    } fine-tuning examples`,
    violations,
  };
}

/** Seeds recorded, integral, and consistent with the stage's cell or seed folder. */
export function auditSeeds(manifests: readonly { path: string; manifest: Manifest }[]): AuditCheck {
  const violations: string[] = [];
  for (const { path, manifest } of manifests) {
    const seeds = manifest.seeds;
    if (!seeds || typeof seeds !== "object") {
      violations.push(`${path}: no seeds recorded`);
      continue;
    }
    for (const [k, v] of Object.entries(seeds)) {
      if (!Number.isInteger(v)) {
        violations.push(`${path}: seed ${k} = ${JSON.stringify(v)} is not an integer`);
      }
    }
    const cell = (manifest.config as { cell?: Cell } | null)?.cell;
    if (manifest.stage.startsWith("cell ") && !cell) {
      violations.push(`${path}: a cell manifest without its cell`);
    }
    if (cell) {
      if (seeds.baseSeed !== cell.base) {
        violations.push(`${path}: baseSeed ${seeds.baseSeed} ≠ cell base ${cell.base}`);
      }
      if (seeds.finetuneSeed !== cell.finetune) {
        violations.push(
          `${path}: finetuneSeed ${seeds.finetuneSeed} ≠ cell fine-tuning seed ${cell.finetune}`,
        );
      }
    }
    const folder = /\/base-(\d+)\//.exec(path);
    if (folder && seeds.baseSeed !== undefined && seeds.baseSeed !== Number(folder[1])) {
      violations.push(`${path}: baseSeed ${seeds.baseSeed} in folder base-${folder[1]}`);
    }
    const ft = /\/ft-(\d+)\//.exec(path);
    if (ft && seeds.finetuneSeed !== undefined && seeds.finetuneSeed !== Number(ft[1])) {
      violations.push(`${path}: finetuneSeed ${seeds.finetuneSeed} in folder ft-${ft[1]}`);
    }
  }
  return {
    name: "seeds",
    ok: violations.length === 0,
    detail: `${manifests.length} manifests`,
    violations,
  };
}

/** deno.json's imports against the lock's specifiers. */
export function auditLock(
  imports: Record<string, string>,
  lock: { specifiers?: Record<string, string> },
): AuditCheck {
  const violations: string[] = [];
  const specifiers = lock.specifiers ?? {};
  for (const [name, spec] of Object.entries(imports)) {
    const m = /^npm:(@?[^@]+)@(.+)$/.exec(spec);
    if (!m) {
      violations.push(`${name}: '${spec}' is not an exact npm version`);
      continue;
    }
    if (!/^\d+\.\d+\.\d+$/.test(m[2])) violations.push(`${name}: '${m[2]}' is not an exact version`);
    const locked = specifiers[spec];
    if (locked === undefined) violations.push(`${name}: ${spec} is not in deno.lock`);
    else if (!locked.startsWith(m[2])) {
      violations.push(`${name}: deno.json wants ${m[2]}, the lock has ${locked}`);
    }
  }
  return {
    name: "lock",
    ok: violations.length === 0,
    detail: `${Object.keys(imports).length} imports pinned and locked`,
    violations,
  };
}

/** Regenerate the data in a scratch folder and compare every file's hash with the recorded one. */
export async function auditData(run: Run, ctx: StageContext): Promise<AuditCheck> {
  const { config: cfg, root, profile } = run;
  const paths = runPaths(profile);
  const manifestPath = join(root, paths.data, "manifest.json");
  let recorded: Manifest;
  try {
    recorded = await readJson<Manifest>(manifestPath);
  } catch {
    return {
      name: "data",
      ok: false,
      detail: "no data manifest",
      violations: [`${paths.data}/manifest.json is missing`],
    };
  }
  const scratch = await scratchDir(root, "data");
  try {
    await runStage(dataStage(openRun(profile, cfg, scratch)), {
      ...ctx,
      root: scratch,
      force: true,
      log: () => {},
    });
    const violations: string[] = [];
    for (const [file, hash] of Object.entries(recorded.outputs)) {
      const again = await sha256File(join(scratch, file)).catch(() => "missing");
      const now = await sha256File(join(root, file)).catch(() => "missing");
      if (again !== hash) {
        violations.push(`${file}: regenerated ${again.slice(0, 12)} ≠ recorded ${hash.slice(0, 12)}`);
      }
      if (now !== hash) {
        violations.push(`${file}: on disk ${now.slice(0, 12)} ≠ recorded ${hash.slice(0, 12)}`);
      }
    }
    return {
      name: "data",
      ok: violations.length === 0,
      detail: `${Object.keys(recorded.outputs).length} files regenerated`,
      violations,
    };
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

/** Every check for a profile. */
export async function audit(
  run: Run,
  ctx: StageContext,
  options: { rerun: boolean; seed: number; stage?: string },
): Promise<AuditCheck[]> {
  const { config: cfg, root, profile } = run;
  const paths = runPaths(profile);
  const checks: AuditCheck[] = [];
  try {
    const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
    const sets: Record<string, FinetuneRecord[]> = {};
    for (const d of cfg.finetune.domains) {
      sets[d] = await readJsonl<FinetuneRecord>(join(root, paths.finetuneSet(d)));
    }
    checks.push(auditSplits(questions, sets));
  } catch (err) {
    checks.push({
      name: "splits",
      ok: false,
      detail: "data unreadable",
      violations: [(err as Error).message],
    });
  }
  const stages = await profileManifests(root, profile);
  checks.push(auditSeeds(stages));
  checks.push(await auditOutputs(stages, root));
  checks.push(await auditChain(stages, root));
  checks.push(await auditData(run, ctx));
  // The lock is the code's, wherever the results are.
  try {
    const denoJson = await readJson<{ imports: Record<string, string> }>(join(CHECKOUT, "deno.json"));
    const lock = await readJson<Parameters<typeof auditLock>[1] & Parameters<typeof auditLockIntegrity>[0]>(
      join(CHECKOUT, "deno.lock"),
    );
    checks.push(auditLock(denoJson.imports, lock));
    checks.push(await auditLockIntegrity(lock, npmCacheDir()));
  } catch (err) {
    checks.push({
      name: "lock",
      ok: false,
      detail: "deno.json or deno.lock unreadable",
      violations: [(err as Error).message],
    });
  }
  if (options.rerun) checks.push(await auditRerun(run, stages, ctx, options.seed, options.stage));
  return checks;
}

/** The audit as readable lines. */
export function formatAudit(profile: string, checks: readonly AuditCheck[]): string {
  const lines = [`audit of profile ${profile}`];
  for (const c of checks) {
    lines.push(`${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(9)} ${c.detail}`);
    for (const v of c.violations.slice(0, 20)) lines.push(`        - ${v}`);
    if (c.violations.length > 20) lines.push(`        … and ${c.violations.length - 20} more`);
  }
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(failed === 0 ? "audit passed" : `audit FAILED: ${failed} check(s) with violations`);
  return lines.join("\n");
}
