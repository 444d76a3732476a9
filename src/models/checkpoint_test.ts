import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { TINY_MODEL as cfg } from "./testing.ts";
import { disposeParams, initParams } from "./model.ts";

Deno.test("checkpoint round-trips weights, config and hash", async () => {
  await initBackend("wasm");
  const dir = await Deno.makeTempDir();
  const params = initParams(cfg, 5);
  const hash = await saveCheckpoint(dir, params, cfg, { note: "x" });
  const loaded = await loadCheckpoint(dir);
  assertEquals(loaded.hash, hash);
  assertEquals(loaded.config, cfg);
  assertEquals(loaded.meta, { note: "x" });
  for (const k of Object.keys(params)) {
    assertOk(tf.tidy(() => tf.max(tf.abs(tf.sub(params[k], loaded.params[k]))).dataSync()[0]) === 0, k);
  }
  disposeParams(params);
  disposeParams(loaded.params);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("corrupt, truncated, missing or mis-shaped checkpoints fail with a clear error", async () => {
  await initBackend("wasm");
  const dir = await Deno.makeTempDir();
  const params = initParams(cfg, 6);
  await saveCheckpoint(dir, params, cfg);
  disposeParams(params);
  const weights = join(dir, "weights.bin");
  const bytes = await Deno.readFile(weights);

  await Deno.writeFile(weights, bytes.slice(0, 100));
  await assertRejects(() => loadCheckpoint(dir), /hash mismatch/);

  const flipped = bytes.slice();
  flipped[10] ^= 1;
  await Deno.writeFile(weights, flipped);
  await assertRejects(() => loadCheckpoint(dir), /hash mismatch/);

  await Deno.writeFile(weights, bytes);
  const index = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  index.config.dModel = 16;
  await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(index));
  await assertRejects(() => loadCheckpoint(dir), /shape mismatch/);

  await Deno.writeTextFile(join(dir, "model.json"), "{ not json");
  await assertRejects(() => loadCheckpoint(dir), /not valid JSON/);

  await assertRejects(() => loadCheckpoint(join(dir, "nope")), /model.json not found/);
  await Deno.remove(dir, { recursive: true });
});
