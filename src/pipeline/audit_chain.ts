/**
 * The audit's hash checks over every stage a profile recorded: each output
 * on disk is what its manifest says it wrote (a hand-edited summary, metrics
 * or latents file fails, named), and each input a stage recorded reading is
 * what its producer recorded writing: a chain of hashes from the data to the
 * summary and the reports, broken wherever a result is stale or tampered.
 * @module
 */
import { join } from "node:path";
import { readJson } from "../core/atomic.ts";
import { sha256File } from "../core/hash.ts";
import { findManifests } from "../runs/manifests.ts";
import { runPaths } from "../runs/paths.ts";
import { type Manifest, recordedHash } from "../runs/stage.ts";
import { REPORT_DIR } from "./report.ts";

/** One audit check's outcome. */
export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
  violations: string[];
}

/** A manifest with where it lies. */
export interface RecordedStage {
  path: string;
  manifest: Manifest;
}

/**
 * Every manifest of a profile: its data's and its results', in path order,
 * then the shared report's where the report read any of the profile's files.
 */
export async function profileManifests(root: string, profile: string): Promise<RecordedStage[]> {
  const paths = runPaths(profile);
  const out: RecordedStage[] = [];
  for (const dir of [paths.data, paths.summaryDir]) {
    for (const p of await findManifests(root, dir)) {
      out.push({ path: p, manifest: await readJson<Manifest>(join(root, p)) });
    }
  }
  const reportPath = `${REPORT_DIR}/manifest.json`;
  const report = await readJson<Manifest>(join(root, reportPath)).catch(() => null);
  const ours = (file: string) => [paths.data, paths.summaryDir].some((d) => file.startsWith(`${d}/`));
  if (report && Object.keys(report.inputs ?? {}).some(ours)) out.push({ path: reportPath, manifest: report });
  return out;
}

const short = (h: string) => h.slice(0, 12);

const isCell = (s: RecordedStage) => s.manifest.stage.startsWith("cell ");

/**
 * The stages whose results something uses: every stage but the cells no
 * recorded stage reads. Cells are named by content and kept when the config
 * moves on; one no report reads is an old result, not part of the chain.
 */
export function chainedStages(stages: readonly RecordedStage[]): {
  chained: RecordedStage[];
  unread: RecordedStage[];
} {
  const read = new Set(stages.flatMap((s) => Object.keys(s.manifest.inputs ?? {})));
  const used = (s: RecordedStage) =>
    !isCell(s) || Object.keys(s.manifest.outputs ?? {}).some((f) => read.has(f));
  return { chained: stages.filter(used), unread: stages.filter((s) => !used(s)) };
}

/** Every recorded output on disk, with the hash its stage recorded. */
export async function auditOutputs(stages: readonly RecordedStage[], root: string): Promise<AuditCheck> {
  const violations: string[] = [];
  let files = 0;
  for (const { manifest } of stages) {
    for (const [file, hash] of Object.entries(manifest.outputs ?? {})) {
      files++;
      const now = await sha256File(join(root, file)).catch(() => "missing");
      if (now !== hash) {
        violations.push(
          `${file}: on disk ${short(now)} ≠ ${short(hash)} recorded by stage '${manifest.stage}'`,
        );
      }
    }
  }
  return {
    name: "outputs",
    ok: violations.length === 0 && stages.length > 0,
    detail: stages.length > 0
      ? `${files} files of ${stages.length} stages checked against their manifests`
      : "no stages recorded",
    violations: stages.length > 0 ? violations : ["nothing to audit: run the profile first"],
  };
}

/**
 * Every recorded input of the chained stages against what its producer
 * recorded writing: a stage of the profile, or, for the report's inputs from
 * other profiles, the nearest manifest on disk.
 */
export async function auditChain(all: readonly RecordedStage[], root: string): Promise<AuditCheck> {
  const { chained: stages, unread } = chainedStages(all);
  const producers = new Map<string, { hash: string; stage: string }>();
  for (const { manifest } of all) {
    for (const [file, hash] of Object.entries(manifest.outputs ?? {})) {
      producers.set(file, { hash, stage: manifest.stage });
    }
  }
  const violations: string[] = [];
  let links = 0;
  for (const { manifest } of stages) {
    for (const [file, hash] of Object.entries(manifest.inputs ?? {})) {
      links++;
      const p = producers.get(file) ?? await recordedHash(root, file);
      if (!p) {
        violations.push(
          `stage '${manifest.stage}' read ${file}, which no stage recorded writing`,
        );
      } else if (p.hash !== hash) {
        violations.push(
          `stage '${manifest.stage}' read ${file} as ${
            short(hash)
          }, but stage '${p.stage}' recorded writing ${short(p.hash)}`,
        );
      }
    }
  }
  return {
    name: "chain",
    ok: violations.length === 0,
    detail: `${links} recorded inputs traced to their stages${
      unread.length > 0 ? `; ${unread.length} cells no stage reads left out (old or not yet reported)` : ""
    }`,
    violations,
  };
}
