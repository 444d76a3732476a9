import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { TINY_MODEL } from "../models/testing.ts";
import { benchStep, forwardFlops } from "./bench.ts";

Deno.test("bench measures a training step without leaking tensors", async () => {
  await initBackend("wasm");
  const r = await benchStep(TINY_MODEL, "train", 2, 8, 2, 1);
  assertEquals(r.numTensorsGrowth, 0);
  assertOk(r.tokensPerSecond > 0 && r.msPerStep > 0);
});

Deno.test("forward FLOPs count the matmuls", () => {
  // One layer, d=2, mlp=4, vocab=3, 1 sequence of 1 token:
  // 2·(2·6 + 2·2 + 2·2·4) + 2·2·1·1·2 + 2·2·3·2 = 64 + 8 + 24 = 96
  const cfg = { vocabSize: 3, contextLength: 1, dModel: 2, nLayers: 1, nHeads: 1, dMlp: 4 };
  assertEquals(forwardFlops(cfg, 1, 1), 96);
});
