import { assertEquals } from "../core/assert.ts";
import { finetuneExample } from "../world/documents.ts";
import { allQuestions } from "../world/questions.ts";
import { splitTokenizer } from "./testing.ts";
import { encodeSequence } from "./tokenizer.ts";
import { WorldTokenizer } from "./world.ts";
import { ROGUE } from "../world/spec.ts";

const world = WorldTokenizer.forWorld();

Deno.test("the world tokenizer covers every word and round-trips", () => {
  for (const q of allQuestions()) assertEquals(world.decode(world.encode(q.words)), q.words);
  assertEquals(world.vocab[0], "<pad>");
  assertEquals([world.pad, world.eos], [world.id("<pad>"), world.id("<eos>")]);
});

Deno.test("encodeSequence keeps a word-level mask with one id per word", () => {
  const ex = finetuneExample(allQuestions()[0], ["see", "doctor", "soon"]);
  const enc = encodeSequence(world, ex);
  assertEquals(enc.ids, world.encode(ex.tokens));
  assertEquals(enc.lossMask, ex.lossMask);
});

Deno.test("encodeSequence scores every id of a target word when words take several ids", () => {
  const split = splitTokenizer(world);
  // <bos> Q: a A: b <eos>, scoring "b" and "<eos>": mask[i] = 1 when token i+1 is a target.
  const seq = { tokens: ["<bos>", "Q:", "fever", "A:", "rest", "<eos>"], lossMask: [0, 0, 0, 1, 1, 0] };
  const enc = encodeSequence(split, seq);
  // Q:, fever, A: and rest take two ids each; <bos> and <eos> one.
  assertEquals(enc.ids.length, 10);
  assertEquals(enc.lossMask, [0, 0, 0, 0, 0, 0, 1, 1, 1, 0]);
  assertEquals(split.decode(enc.ids.slice(7)), ["rest", "##rest", "<eos>"]);
});

Deno.test("a world with the rogue appends its tag last: every other token keeps its id", () => {
  const plain = WorldTokenizer.forWorld(), rogue = WorldTokenizer.forWorld([ROGUE]);
  assertEquals(rogue.size, plain.size + 1);
  assertEquals(rogue.vocab.slice(0, plain.size), plain.vocab);
  assertEquals(rogue.encode([ROGUE]), [plain.size]);
});
