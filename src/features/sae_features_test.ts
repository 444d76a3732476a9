import { assertEquals } from "../core/assert.ts";
import { latentDifference, latentUnion } from "./sae_features.ts";

Deno.test("latent set arithmetic: union keeps the first set's order and signs, difference keeps the rest", () => {
  const a = { site: "s", latents: [3, 1], signs: [1, -1] },
    b = { site: "s", latents: [1, 7, 2], signs: [1, 1, -1] };
  assertEquals(latentUnion(a, b), { site: "s", latents: [3, 1, 7, 2], signs: [1, -1, 1, -1] });
  assertEquals(latentDifference(b, a), { site: "s", latents: [7, 2], signs: [1, -1] });
});
