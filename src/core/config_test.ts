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
  assertThrows(() => applyOverrides(defaults, { "model.layerz": "4" }), /Unknown config key "model.layerz"/);
  assertThrows(
    () => applyOverrides(defaults, { "model.nLayers": "four" }),
    /'model.nLayers'.*expects a number/,
  );
  assertThrows(() => applyOverrides(defaults, { "model.nLayers": "2.5" }), /whole number/);
  assertThrows(() => applyOverrides(defaults, { "model.flag": "yes" }), /true or false/);
  assertThrows(() => applyOverrides(defaults, { "model": "1" }), /Unknown config key "model"/);
});

Deno.test("empty items, empty required values and non-plain numbers are errors; a schema's kind wins over the default's", () => {
  assertThrows(() => applyOverrides(defaults, { "model.list": "1,,2" }), /without empty items/);
  assertThrows(() => applyOverrides(defaults, { "model.lr": "" }), /expects a number, got ""/);
  assertThrows(() => applyOverrides(defaults, { "model.lr": "1e3x" }), /expects a number/);
  assertEquals(applyOverrides(defaults, { "model.list": "" }).model.list, []);
  const strings = { reproduce: { grids: [] as string[] } };
  assertThrows(() => applyOverrides(strings, { "reproduce.grids": "main" }), /a list of a number/);
  const kindOf = () => ({ type: "string" as const, list: true });
  assertEquals(applyOverrides(strings, { "reproduce.grids": "main,k" }, "x", kindOf).reproduce.grids, [
    "main",
    "k",
  ]);
});
