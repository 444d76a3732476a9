import { assertEquals, assertThrows } from "./assert.ts";
import { lookup, registry } from "./registry.ts";

Deno.test("a registry keeps the given order, refuses a name twice and names the known ones on a miss", () => {
  const parts = registry("widget", [{ name: "b" }, { name: "a" }]);
  assertEquals([...parts.keys()], ["b", "a"]);
  assertEquals(lookup("widget", parts, "a"), { name: "a" });
  assertThrows(() => lookup("widget", parts, "c"), /Unknown widget 'c' \(known: b, a\)/);
  assertThrows(() => registry("widget", [{ name: "a" }, { name: "a" }]), /widget 'a' is registered twice/);
});
