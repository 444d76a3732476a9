import { assertEquals, assertOk, assertThrows } from "./assert.ts";
import { deriveSeed, Rng } from "./rng.ts";

Deno.test("Rng is deterministic, forkable and restorable", () => {
  const a = new Rng(42), b = new Rng(42);
  assertEquals(
    Array.from({ length: 5 }, () => a.nextUint32()),
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  assertOk(deriveSeed(1, "x") !== deriveSeed(1, "y"));
  const state = a.getState();
  const next = a.next();
  a.setState(state);
  assertEquals(a.next(), next);
});

Deno.test("Rng draws stay in range and look uniform", () => {
  const r = new Rng(3);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[r.int(4)]++;
  for (const c of counts) assertOk(c > 900 && c < 1100, `count ${c}`);
  assertThrows(() => new Rng(-1), /non-negative/);
});
