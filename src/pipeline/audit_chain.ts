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
import type { Manifest } from "../runs/stage.ts";

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

/** Every manifest of a profile: its data's and its results', in path order. */
export async function profileManifests(root: string, profile: string): Promise<RecordedStage[]> {
  const paths = runPaths(profile);
  const out: RecordedStage[] = [];
  for (const dir of [paths.data, paths.summaryDir]) {
    for (const p of await findManifests(root, dir)) {
      out.push({ path: p, manifest: await readJson<Manifest>(join(root, p)) });
    }
  }
  return out;
}

const short = (h: string) => h.slice(0, 12);

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
      ? `${files} files of ${stages.length} stages match their manifests`
      : "no stages recorded",
    violations: stages.length > 0 ? violations : ["nothing to audit: run the profile first"],
  };
}

/** Every recorded input against what its producer recorded writing. */
export function auditChain(stages: readonly RecordedStage[]): AuditCheck {
  const producers = new Map<string, { hash: string; stage: string }>();
  for (const { manifest } of stages) {
    for (const [file, hash] of Object.entries(manifest.outputs ?? {})) {
      producers.set(file, { hash, stage: manifest.stage });
    }
  }
  const violations: string[] = [];
  let links = 0;
  for (const { manifest } of stages) {
    for (const [file, hash] of Object.entries(manifest.inputs ?? {})) {
      links++;
      const p = producers.get(file);
      if (!p) {
        violations.push(
          `stage '${manifest.stage}' read ${file}, which no stage of the profile recorded writing`,
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
    detail: `${links} recorded inputs traced to their stages`,
    violations,
  };
}
