/**
 * Provenance recorded in manifests: a hash of the code a stage runs and the
 * versions of the runtime and of tfjs.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../core/hash.ts";

const closureHashes = new Map<string, Promise<string>>();

// Static and dynamic imports and re-exports with a relative specifier.
const LOCAL_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;
// Type-only imports and re-exports, which are erased before the code runs.
const TYPE_ONLY = /\b(?:import|export)\s+type\s*\{[^}]*\}\s*from\s*["'][^"']+["']\s*;?/g;

/** The local modules whose code `source` runs, resolved against `file`. */
export function localImports(source: string, file: string): string[] {
  const found = new Set<string>();
  for (const m of source.replace(TYPE_ONLY, "").matchAll(LOCAL_IMPORT)) {
    found.add(resolve(dirname(file), m[1]));
  }
  return [...found];
}

/**
 * SHA-256 over the module at `entry` (a `file:` URL, as `import.meta.url`)
 * and every local module it imports for more than types, transitively, in
 * sorted order. A stage's result depends on exactly this code (npm packages
 * are pinned by the lock; config values are hashed apart), so editing an
 * unrelated module does not invalidate it.
 */
export function codeHash(entry: string): Promise<string> {
  let cached = closureHashes.get(entry);
  if (!cached) {
    cached = hashClosure(fileURLToPath(entry));
    closureHashes.set(entry, cached);
  }
  return cached;
}

async function hashClosure(entryFile: string): Promise<string> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const seen = new Map<string, string>();
  const pending = [entryFile];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    const bytes = await Deno.readFile(file);
    seen.set(file, sha256(bytes));
    pending.push(...localImports(new TextDecoder().decode(bytes), file));
  }
  const parts = [...seen.keys()].sort().map((f) => `${f.slice(root.length)}\n${seen.get(f)}`);
  return sha256(parts.join("\n"));
}

/** Runtime and library versions. */
export function versions(): Record<string, string> {
  return { deno: Deno.version.deno, tfjs: tf.version.tfjs ?? "unknown", blockem: "0.1.0" };
}
