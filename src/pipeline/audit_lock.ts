/**
 * The lock's package hashes against the registry's. Deno checks a package's
 * integrity only when it downloads it, so an edited `deno.lock` runs silently
 * against an already-cached package; this check compares each locked
 * integrity with the one the registry published, read from the copy of its
 * package record that Deno keeps in its npm cache.
 * @module
 */
import { join } from "node:path";
import type { AuditCheck } from "./audit_chain.ts";

/** Deno's npm cache folder: `$DENO_DIR/npm`, else the platform cache under `$XDG_CACHE_HOME` or `$HOME/.cache`. */
export function npmCacheDir(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string | undefined {
  const denoDir = env("DENO_DIR");
  if (denoDir) return join(denoDir, "npm");
  const cache = env("XDG_CACHE_HOME") ?? (env("HOME") ? join(env("HOME")!, ".cache") : undefined);
  return cache ? join(cache, "deno", "npm") : undefined;
}

/** `@scope/name@1.2.3_peer@4.5.6` → name and version. */
export function parseLockKey(key: string): { name: string; version: string } | undefined {
  const m = /^(@?[^@]+)@([^_]+)/.exec(key);
  return m ? { name: m[1], version: m[2] } : undefined;
}

type Packument = { versions?: Record<string, { dist?: { integrity?: string } }> };

/** Every locked npm package's integrity equals the registry's; packages absent from the cache are counted, not failed. */
export async function auditLockIntegrity(
  lock: { npm?: Record<string, { integrity?: string }> },
  cacheDir: string | undefined,
): Promise<AuditCheck> {
  const violations: string[] = [];
  let checked = 0, uncached = 0;
  for (const [key, entry] of Object.entries(lock.npm ?? {})) {
    const pkg = parseLockKey(key);
    if (!pkg) {
      violations.push(`deno.lock: '${key}' is not a package@version key`);
      continue;
    }
    let published: string | undefined;
    try {
      const record = JSON.parse(
        await Deno.readTextFile(join(cacheDir ?? "", "registry.npmjs.org", pkg.name, "registry.json")),
      ) as Packument;
      published = record.versions?.[pkg.version]?.dist?.integrity;
    } catch {
      published = undefined;
    }
    if (cacheDir === undefined || published === undefined) {
      uncached++;
      continue;
    }
    checked++;
    if (entry.integrity !== published) {
      violations.push(
        `deno.lock: ${pkg.name}@${pkg.version} integrity ${
          entry.integrity ?? "(none)"
        } is not the registry's ${published}`,
      );
    }
  }
  return {
    name: "integrity",
    ok: violations.length === 0,
    detail: `${checked} locked packages checked against the registry's hashes` +
      (uncached > 0 ? ` (${uncached} not in Deno's cache, not checked)` : ""),
    violations,
  };
}
