import { assertEquals, assertThrows } from "./assert.ts";
import { applyOverrides } from "./config.ts";

const defaults = { seed: 0, model: { nLayers: 2, lr: 0.1, name: "x", flag: false, list: [1, 2] } };

Deno.test("overrides apply with types", () => {
  const c = applyOverrides(defaults, {
    "model.nLayers": "4",
    "model.lr": "3e-4",
    "model.flag": "true",
    "model.list": "3,4",
  });
  assertEquals(c.model, { nLayers: 4, lr: 3e-4, name: "x", flag: true, list: [3, 4] });
  assertEquals(defaults.model.nLayers, 2);
});

Deno.test("unknown keys and wrong types are named", () => {
  assertThrows(() => applyOverrides(defaults, { "model.layerz": "4" }), /Unknown config key 'model.layerz'/);
  assertThrows(
    () => applyOverrides(defaults, { "model.nLayers": "four" }),
    /'model.nLayers'.*expects a number/,
  );
  assertThrows(() => applyOverrides(defaults, { "model.nLayers": "2.5" }), /whole number/);
  assertThrows(() => applyOverrides(defaults, { "model.flag": "yes" }), /true or false/);
  assertThrows(() => applyOverrides(defaults, { "model": "1" }), /Unknown config key 'model'/);
});
