import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assertEquals, assertOk, assertThrows } from "../core/assert.ts";
import { writeJsonAtomic } from "../core/atomic.ts";
import { initBackend } from "../backend/backend.ts";
import { resolveConfig } from "../config/profiles.ts";
import { methodNamed, setupMethod } from "../methods/registry.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun } from "../runs/run.ts";
import { cellStage } from "./cell.ts";
import { conditionMethod, finetuneStage } from "./finetune.ts";

const key = { base: 0, finetune: 1 };
const model = { vocabSize: 10, contextLength: 8, dModel: 4, nLayers: 2, nHeads: 2, dMlp: 8 };

Deno.test("the pipeline's conditions are the registered methods the grids use", () => {
  assertOk(conditionMethod("block").method === methodNamed("block"));
  assertEquals(conditionMethod("random-2").params, { draw: 2 });
  assertOk(conditionMethod("random-2").method === methodNamed("random"));
  assertThrows(() => conditionMethod("blocked"), /Unknown condition/);
});

Deno.test("under discover.features=diffmeans a grid's block cell holds the direction, as the pipeline's block does", async () => {
  await initBackend("cpu");
  const root = await Deno.makeTempDir();
  try {
    const run = openRun("tiny", resolveConfig("tiny", { "discover.features": "diffmeans" }), root);
    const paths = runPaths("tiny", key);
    const site = "blocks.0.resid_post";
    await writeJsonAtomic(join(root, paths.directions), { site, directions: [[0.6, 0.8, 0, 0]], signs: [1] });
    // The cell and the pipeline stage read the direction set, not the SAE latents.
    const cell = cellStage(run, { domain: "medical", method: "block", params: { lambda: 0.5 }, ...key });
    const stage = finetuneStage(run, key, "medical", "block");
    for (const inputs of [cell.inputs, stage.inputs]) {
      assertOk(inputs.includes(paths.directions));
      assertOk(!inputs.includes(paths.latents));
    }
    const before = tf.memory().numTensors;
    const block = await setupMethod("block", { run, key, model }, { lambda: 0.5 });
    assertEquals(block.record, {
      kind: "directions",
      site,
      directions: [[0.6, 0.8, 0, 0]],
      signs: [1],
      lambda: 0.5,
    });
    const held = block.terms.block as { features: { site: string; encode(h: tf.Tensor2D): tf.Tensor2D } };
    const z = tf.tidy(() => held.features.encode(tf.tensor2d([[1, 1, 0, 0]])).arraySync()) as number[][];
    assertOk(Math.abs(z[0][0] - 1.4) < 1e-6, `projection ${z[0][0]}`);
    // The random control holds another unit direction with the same site, count and signs.
    const random = await setupMethod("random", { run, key, model }, { lambda: 0.5, draw: 0 });
    const r = random.record as { directions: number[][]; signs: number[]; site: string };
    assertEquals([r.site, r.signs, r.directions.length], [site, [1], 1]);
    assertOk(Math.abs(Math.hypot(...r.directions[0]) - 1) < 1e-9 && r.directions[0][0] !== 0.6);
    block.dispose();
    random.dispose();
    assertEquals(tf.memory().numTensors, before);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
