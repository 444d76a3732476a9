import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { paramShapes } from "../models/model.ts";
import { TINY_MODEL } from "../models/testing.ts";
import { benchStep, forwardFlops } from "./bench.ts";

Deno.test("bench measures a training step without leaking tensors", async () => {
  await initBackend("wasm");
  const r = await benchStep(TINY_MODEL, "train", 2, 8, 2, 1);
  assertEquals(r.numTensorsGrowth, 0);
  assertOk(r.tokensPerSecond > 0 && r.msPerStep > 0);
});

Deno.test("forward FLOPs: every weight matrix the pass multiplies by, attention's products, the embedding only as a matmul", () => {
  const cfg = { vocabSize: 11, contextLength: 8, dModel: 6, nLayers: 2, nHeads: 2, dMlp: 10 };
  const [batch, seq] = [3, 5];
  // Counted from the model's own parameter shapes: 2·in·out per token for each 2-D weight (the
  // position table is added, not multiplied), plus QKᵀ and AV, 2·seq·seq·d each, per layer and sequence.
  const matrices = Object.entries(paramShapes(cfg)).filter(([n, s]) => s.length === 2 && n !== "pos.W_pos");
  const perToken = (skip: string) =>
    matrices.filter(([n]) => n !== skip).reduce((f, [, [i, o]]) => f + 2 * i * o, 0);
  const attention = cfg.nLayers * batch * 2 * 2 * seq * seq * cfg.dModel;
  assertEquals(forwardFlops(cfg, batch, seq, true), batch * seq * perToken("") + attention);
  assertEquals(forwardFlops(cfg, batch, seq, false), batch * seq * perToken("embed.W_E") + attention);
});
