/**
 * Atomic file writes: write a sibling temp file, then rename over the target,
 * so an interrupted run never leaves a half-written result behind.
 * @module
 */
import { dirname } from "node:path";

/** Write bytes or text to `path` atomically, creating parent folders. */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Pretty JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** One JSON object per line, written atomically. */
export function writeJsonlAtomic(
  path: string,
  rows: readonly unknown[],
): Promise<void> {
  return writeFileAtomic(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

/** Read and parse a JSON file, naming the file in any error. */
export async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`Missing file ${path}: run the upstream stage first`);
    }
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SyntaxError(`Cannot parse ${path}: not valid JSON (corrupt or truncated?)`);
  }
}

/** Read a JSONL file into objects, naming the file and line in any error. */
export async function readJsonl<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`Missing file ${path}: run the upstream stage first`);
    }
    throw err;
  }
  return text.split("\n").filter((l) => l.length > 0).map((line, i) => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new SyntaxError(`Cannot parse ${path}:${i + 1}: not valid JSON`);
    }
  });
}
