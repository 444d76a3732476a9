import { assertEquals } from "../core/assert.ts";
import { resolveConfig } from "../config/profiles.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";
import { runTokenizer } from "./run.ts";

Deno.test("a run's tokenizer has the rogue's tag only in a world with the rogue", () => {
  const plain = WorldTokenizer.forWorld();
  assertEquals(runTokenizer(resolveConfig("tiny")).vocab, plain.vocab);
  assertEquals(runTokenizer(resolveConfig("tiny", { "world.rogueShare": "0.1" })).size, plain.size + 1);
});
