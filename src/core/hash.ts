/**
 * SHA-256 helpers used by manifests, checkpoints and cache keys.
 * @module
 */
import { createHash } from "node:crypto";

/** Hex SHA-256 of bytes or a UTF-8 string. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Hex SHA-256 of a file's bytes. */
export async function sha256File(path: string): Promise<string> {
  return sha256(await Deno.readFile(path));
}

/** JSON with object keys sorted, so equal values always serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj).sort().map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/** Hash of a JSON value that ignores key order. */
export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}
