import { assertEquals } from "../core/assert.ts";
import { INCOHERENT_AT, isIncoherent, leftOutNote, unlessIncoherent } from "./incoherent.ts";

Deno.test("incoherent: from the threshold on, the value is replaced; below it, kept", () => {
  assertEquals(isIncoherent(INCOHERENT_AT), true);
  assertEquals(isIncoherent(INCOHERENT_AT - 1e-9), false);
  assertEquals(unlessIncoherent(0.999, 0.02), "incoherent");
  assertEquals(unlessIncoherent(0.1, 0.02), 0.02);
  assertEquals(leftOutNote([]), "");
  assertEquals(leftOutNote(["λ=1", "λ=10"]), "; incoherent (incoherence ≥ 0.5), not plotted: λ=1, λ=10");
});
