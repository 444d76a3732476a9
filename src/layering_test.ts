import { dirname, join, normalize, relative } from "node:path";
import { assertEquals, assertOk } from "./core/assert.ts";
import { layerOf, LAYERS } from "./layering.ts";

const root = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(root, dir))) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...await sourceFiles(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Relative import targets of a file, resolved to root-relative paths. */
function relativeImports(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ]
    .map((m) => m[1] ?? m[2]);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(root, join(root, dirname(file), s)));
}

Deno.test("every src folder is a declared layer", async () => {
  for (const f of await sourceFiles("src")) {
    assertOk(layerOf(f) !== null, `${f} is not in a declared layer (${LAYERS.join(", ")})`);
  }
});

Deno.test("no module imports from a layer above its own", async () => {
  const violations: string[] = [];
  for (const f of [...await sourceFiles("src"), ...await sourceFiles("tasks"), "mod.ts"]) {
    if (f === "src/layering_test.ts") continue; // holds an upward import as test data
    const own = layerOf(f)!;
    for (const target of relativeImports(f, await Deno.readTextFile(join(root, f)))) {
      const t = layerOf(target);
      if (t === null || t > own) violations.push(`${f} (layer ${own}) imports ${target} (layer ${t})`);
    }
  }
  assertEquals(violations, []);
});

Deno.test("the layering check catches an upward import", () => {
  const imports = relativeImports("src/core/x.ts", 'import { y } from "../pipeline/y.ts";');
  assertEquals(imports, ["src/pipeline/y.ts"]);
  assertOk(layerOf(imports[0])! > layerOf("src/core/x.ts")!);
});
