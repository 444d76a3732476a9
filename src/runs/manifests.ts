/**
 * Finding the manifests stages wrote.
 * @module
 */
import { join } from "node:path";

/** Every manifest under `dir` (recursively), relative to `root`. */
export async function findManifests(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(join(root, d))) entries.push(e);
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name === "manifest.json") out.push(p);
    }
  };
  await walk(dir);
  return out;
}
