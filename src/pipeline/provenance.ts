/**
 * Provenance recorded in manifests: a hash of the library code and the
 * versions of the runtime and of tfjs.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../core/hash.ts";

let cachedCodeHash: string | null = null;

/** SHA-256 over every non-test source file of `src/`, in sorted order. */
export async function codeHash(): Promise<string> {
  if (cachedCodeHash) return cachedCodeHash;
  const srcDir = join(dirname(fileURLToPath(import.meta.url)), "..");
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) files.push(p);
    }
  };
  await walk(srcDir);
  files.sort();
  const parts: string[] = [];
  for (const f of files) parts.push(`${f.slice(srcDir.length)}\n${sha256(await Deno.readFile(f))}`);
  cachedCodeHash = sha256(parts.join("\n"));
  return cachedCodeHash;
}

/** Runtime and library versions. */
export function versions(): Record<string, string> {
  return { deno: Deno.version.deno, tfjs: tf.version.tfjs ?? "unknown", blockem: "0.1.0" };
}
