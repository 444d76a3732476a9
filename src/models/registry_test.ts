import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { TINY_MODEL } from "./testing.ts";
import { paramsAfter, paramShapes, siteNames } from "./model.ts";
import { architectureOf, ARCHITECTURES } from "./registry.ts";

Deno.test("a config without an architecture is the organism; an unknown one is one clear error", () => {
  assertEquals([...ARCHITECTURES.keys()], ["organism"]);
  assertEquals(architectureOf(TINY_MODEL).name, "organism");
  assertThrows(
    () => architectureOf({ ...TINY_MODEL, architecture: "gpt3" }),
    /Unknown model architecture 'gpt3'/,
  );
  assertThrows(() => siteNames({ ...TINY_MODEL, architecture: "gpt3" }), /known: organism/);
});

Deno.test("the parameters after a layer come from the architecture's own layer map", () => {
  const after0 = paramsAfter(TINY_MODEL, 0);
  assertOk(
    after0.every((n) => n.startsWith("blocks.1.") || n.startsWith("ln_final") || n.startsWith("unembed")),
  );
  assertEquals(
    after0.length,
    Object.keys(paramShapes(TINY_MODEL)).filter((n) => !/^(embed|pos|blocks\.0\.)/.test(n)).length,
  );
  assertEquals(paramsAfter(TINY_MODEL, TINY_MODEL.nLayers), []);
});
