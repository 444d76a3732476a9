import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { auditLockIntegrity, npmCacheDir, parseLockKey } from "./audit_lock.ts";

Deno.test("lock integrity: parses scoped and peer-suffixed keys", () => {
  assertEquals(parseLockKey("@tensorflow/tfjs@4.22.0_seedrandom@3.0.5"), {
    name: "@tensorflow/tfjs",
    version: "4.22.0",
  });
  assertEquals(parseLockKey("csv-parse@7.0.3"), { name: "csv-parse", version: "7.0.3" });
});

Deno.test("lock integrity: the cache folder follows DENO_DIR, then XDG_CACHE_HOME, then HOME", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assertEquals(npmCacheDir(env({ DENO_DIR: "/d", HOME: "/h" })), "/d/npm");
  assertEquals(npmCacheDir(env({ XDG_CACHE_HOME: "/x", HOME: "/h" })), "/x/deno/npm");
  assertEquals(npmCacheDir(env({ HOME: "/h" })), "/h/.cache/deno/npm");
  assertEquals(npmCacheDir(env({})), undefined);
});

Deno.test("lock integrity: an edited hash fails, named; an uncached package is counted, not failed", async () => {
  const cache = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(cache, "registry.npmjs.org", "@s", "b"), { recursive: true });
    await Deno.writeTextFile(
      join(cache, "registry.npmjs.org", "@s", "b", "registry.json"),
      JSON.stringify({ versions: { "1.0.0": { dist: { integrity: "sha512-good" } } } }),
    );
    const honest = await auditLockIntegrity(
      { npm: { "@s/b@1.0.0_a@2.0.0": { integrity: "sha512-good" }, "absent@1.0.0": { integrity: "x" } } },
      cache,
    );
    assertOk(honest.ok, honest.violations.join("; "));
    assertOk(/1 locked packages checked .*1 not in Deno's cache/.test(honest.detail), honest.detail);
    const edited = await auditLockIntegrity({ npm: { "@s/b@1.0.0": { integrity: "sha512-Agood" } } }, cache);
    assertOk(!edited.ok);
    assertOk(/@s\/b@1\.0\.0 integrity sha512-Agood/.test(edited.violations[0]), edited.violations[0]);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});
