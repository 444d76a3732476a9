/**
 * Loop snapshots on disk, for resuming a killed training stage: the
 * parameters and optimizer moments in one binary file, everything else
 * (step, losses so far, generator states) in JSON with the binary's hash.
 * The binary is written first and the JSON last, each atomically, so a
 * snapshot is either whole or absent. A snapshot carries the key of the run
 * that wrote it (config, seeds, inputs, code) and is used only by that run.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { sha256 } from "../core/hash.ts";
import type { LoopCheckpoint, LoopSnapshot } from "./loop.ts";

const BIN = "snapshot.bin", JSON_FILE = "snapshot.json";

interface SnapshotMeta {
  key: string;
  step: number;
  history: Record<string, number>[];
  optimizerStep: number;
  extra: unknown;
  /** [group, name, length] in file order; groups are params, m, v. */
  layout: [string, string, number][];
  binSha256: string;
}

/** Write `snap` into `dir` (replacing any older snapshot). */
export async function saveSnapshot(dir: string, key: string, snap: LoopSnapshot): Promise<void> {
  const groups: [string, Record<string, Float32Array>][] = [
    ["params", snap.params],
    ["m", snap.optimizer.m],
    ["v", snap.optimizer.v],
  ];
  const layout: SnapshotMeta["layout"] = [];
  let total = 0;
  for (const [g, arrays] of groups) {
    for (const name of Object.keys(arrays).sort()) {
      layout.push([g, name, arrays[name].length]);
      total += arrays[name].length;
    }
  }
  const flat = new Float32Array(total);
  let offset = 0;
  for (const [g, name, n] of layout) {
    flat.set(groups.find(([x]) => x === g)![1][name], offset);
    offset += n;
  }
  const bytes = new Uint8Array(flat.buffer);
  await writeFileAtomic(join(dir, BIN), bytes);
  const meta: SnapshotMeta = {
    key,
    step: snap.step,
    history: snap.history,
    optimizerStep: snap.optimizer.step,
    extra: snap.extra,
    layout,
    binSha256: sha256(bytes),
  };
  await writeJsonAtomic(join(dir, JSON_FILE), meta);
}

/**
 * The snapshot in `dir` written under `key`, or null when there is none, it
 * belongs to another run, or it is damaged (`onIgnored` says why).
 */
export async function loadSnapshot(
  dir: string,
  key: string,
  onIgnored: (why: string) => void = () => {},
): Promise<LoopSnapshot | null> {
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(await Deno.readTextFile(join(dir, JSON_FILE)));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      onIgnored(`unreadable ${JSON_FILE}: ${(err as Error).message}`);
    }
    return null;
  }
  if (meta.key !== key) {
    onIgnored("it was written by a run with other config, inputs or code");
    return null;
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(dir, BIN));
  } catch {
    onIgnored(`${BIN} is missing`);
    return null;
  }
  if (sha256(bytes) !== meta.binSha256) {
    onIgnored(`${BIN} does not match its recorded hash`);
    return null;
  }
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const groups: Record<string, Record<string, Float32Array>> = { params: {}, m: {}, v: {} };
  let offset = 0;
  for (const [g, name, n] of meta.layout) {
    groups[g][name] = flat.slice(offset, offset + n);
    offset += n;
  }
  return {
    step: meta.step,
    history: meta.history,
    params: groups.params,
    optimizer: { step: meta.optimizerStep, m: groups.m, v: groups.v },
    extra: meta.extra,
  };
}

/** Remove a finished run's snapshot. */
export async function clearSnapshot(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Where and how often a loop snapshots, and the key of the run. */
export interface Resumable {
  dir: string;
  key: string;
  /** Steps between snapshots; 0 turns them off. */
  every: number;
  /** Told when a snapshot on disk is not used, and why. */
  onIgnored?: (why: string) => void;
  /** Told the step a run resumes from. */
  onResume?: (step: number) => void;
}

/** The loop checkpoint of `r` with the caller's own state, resuming from the snapshot on disk if any. */
export async function loopCheckpoint(
  r: Resumable | undefined,
  captureExtra: () => unknown,
  restoreExtra: (extra: unknown) => void,
): Promise<LoopCheckpoint | undefined> {
  if (!r || r.every <= 0) return undefined;
  const resume = await loadSnapshot(r.dir, r.key, r.onIgnored);
  if (resume) r.onResume?.(resume.step);
  return {
    every: r.every,
    save: (snap) => saveSnapshot(r.dir, r.key, snap),
    resume,
    captureExtra,
    restoreExtra,
  };
}
