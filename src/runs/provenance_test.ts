import { assertEquals, assertNotEquals } from "../core/assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { codeHash, localImports } from "./provenance.ts";

Deno.test("localImports finds static, dynamic and re-exported relative modules, not type-only ones", () => {
  const source = [
    `import * as tf from "@tensorflow/tfjs";`,
    `import {\n  a,\n  b,\n} from "./a.ts";`,
    `import type { T } from "../t.ts";`,
    `import { type U, u } from "../u.ts";`,
    `export type {\n  V,\n} from "./v.ts";`,
    `export { c } from './c.ts';`,
    `const d = await import("./d.ts");`,
  ].join("\n");
  assertEquals(localImports(source, "/p/src/x.ts").sort(), [
    "/p/src/a.ts",
    "/p/src/c.ts",
    "/p/src/d.ts",
    "/p/u.ts",
  ]);
});

Deno.test("codeHash covers a module's import closure and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const write = (name: string, text: string) => Deno.writeTextFile(join(dir, name), text);
    await write("stage.ts", `import { f } from "./dep.ts";\nexport const g = f;\n`);
    await write("dep.ts", `import { h } from "./deep.ts";\nexport const f = h;\n`);
    await write("deep.ts", `export const h = 1;\n`);
    await write("other.ts", `export const o = 1;\n`);
    // codeHash caches per URL, so each state of the files gets its own query string.
    const hashAt = (state: string) => codeHash(`${pathToFileURL(join(dir, "stage.ts")).href}?${state}`);
    const before = await hashAt("a");
    await write("other.ts", `export const o = 2;\n`);
    assertEquals(await hashAt("b"), before);
    await write("deep.ts", `export const h = 2;\n`);
    assertNotEquals(await hashAt("c"), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
