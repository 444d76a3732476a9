import { assertEquals } from "../../../core/assert.ts";
import { swapGroups } from "./transpose.ts";

Deno.test("swapGroups recognises two adjacent groups swapped, nothing else", () => {
  assertEquals(swapGroups([2, 3, 4], [1, 0, 2]), [1, 2, 3, 4]);
  assertEquals(swapGroups([2, 3, 4, 5], [0, 2, 1, 3]), [2, 3, 4, 5]);
  assertEquals(swapGroups([2, 3, 4], [2, 0, 1]), [1, 6, 4, 1]);
  assertEquals(swapGroups([2, 3, 4], [0, 1, 2]), null);
  assertEquals(swapGroups([2, 3, 4, 5], [3, 1, 2, 0]), null);
});
