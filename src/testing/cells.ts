/**
 * Test helpers of the pipeline: the output hashes of every finished cell,
 * to compare runs (pooled, serial, on Slurm) byte for byte.
 * @module
 */
import { join } from "node:path";
import { sha256File } from "../core/hash.ts";
import { findManifests } from "../runs/manifests.ts";
import { runPaths } from "../runs/paths.ts";

/** Every finished cell's output hashes (weights, result, loss curve) under `root`, by cell folder. */
export async function cellOutputHashes(root: string, profile: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const m of await findManifests(root, `${runPaths(profile).summaryDir}/cells`)) {
    const dir = m.slice(0, -"/manifest.json".length);
    out[dir] = await Promise.all(
      ["weights.bin", "result.json", "loss.csv"].map((f) => sha256File(join(root, dir, f))),
    );
  }
  return out;
}
