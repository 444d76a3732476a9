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
  return out.sort();
}

/** Relative import targets of a file (type-only imports and re-exports included), resolved to root-relative paths. */
function relativeImports(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ]
    .map((m) => m[1] ?? m[2]);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(root, join(root, dirname(file), s)));
}

/** Import edges between the library's modules (tests, which nothing imports, left out). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const f of await sourceFiles("src")) {
    if (f.endsWith("_test.ts")) continue;
    // A module's own doc example imports the module itself: not an edge.
    graph.set(f, relativeImports(f, await Deno.readTextFile(join(root, f))).filter((t) => t !== f));
  }
  return graph;
}

/** A cycle of the graph as a path that ends where it starts, or null. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === "done") return null;
    if (state.get(f) === "open") return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, "open");
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      const cycle = visit(t);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(f, "done");
    return null;
  };
  for (const f of graph.keys()) {
    const cycle = visit(f);
    if (cycle) return cycle;
  }
  return null;
}

Deno.test("every src folder is a declared layer", async () => {
  for (const f of await sourceFiles("src")) {
    assertOk(layerOf(f) !== null, `${f} is not in a declared layer (${LAYERS.join(", ")})`);
  }
});

Deno.test("no module imports from a layer above its own", async () => {
  const violations: string[] = [];
  for (const f of [...await sourceFiles("src"), ...await sourceFiles("tasks"), "mod.ts"]) {
    if (f === "src/layering_test.ts") continue; // holds imports as test data
    const own = layerOf(f)!;
    for (const target of relativeImports(f, await Deno.readTextFile(join(root, f)))) {
      const t = layerOf(target);
      if (t === null || t > own) violations.push(`${f} (layer ${own}) imports ${target} (layer ${t})`);
    }
  }
  assertEquals(violations, []);
});

Deno.test("no import cycle in src/, counting type-only imports", async () => {
  const cycle = findCycle(await importGraph());
  assertEquals(cycle, null, `import cycle: ${cycle?.join(" → ")}`);
});

Deno.test("the layering checks catch an upward import and a cycle, type-only imports included", () => {
  const imports = relativeImports("src/core/x.ts", 'import { y } from "../pipeline/y.ts";');
  assertEquals(imports, ["src/pipeline/y.ts"]);
  assertOk(layerOf(imports[0])! > layerOf("src/core/x.ts")!);
  const typeOnly = relativeImports("src/runs/a.ts", 'import type { B } from "./b.ts";');
  assertEquals(typeOnly, ["src/runs/b.ts"]);
  const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assertEquals(findCycle(graph), ["a", "b", "c", "a"]);
  assertEquals(findCycle(new Map([["a", ["b"]], ["b", []]])), null);
});
