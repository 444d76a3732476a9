import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { Rng } from "../core/rng.ts";
import { disposeParams } from "../models/model.ts";
import { ActivationBuffer } from "./activation_buffer.ts";
import { encodeSae, loadSae, saveSae, topkRelu, unitDecoder } from "./sae.ts";
import { measureSae, trainSae } from "./train.ts";

/** x = Σ c·atom over 3 of 24 planted unit atoms in 12 dimensions, plus a little noise. */
function plantedSource(atoms: number[][], seed: number) {
  const rng = new Rng(seed);
  const d = atoms[0].length;
  return () => {
    const rows = 512;
    const out = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      const picked = new Set<number>();
      while (picked.size < 3) picked.add(rng.int(atoms.length));
      for (const a of picked) {
        const c = 1 + 2 * rng.next();
        for (let j = 0; j < d; j++) out[r * d + j] += c * atoms[a][j];
      }
      for (let j = 0; j < d; j++) out[r * d + j] += 0.01 * rng.normal();
    }
    return Promise.resolve(out);
  };
}

function plantedAtoms(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

Deno.test("the SAE recovers a planted sparse dictionary", async () => {
  await initBackend("wasm");
  const before = tf.memory().numTensors;
  const atoms = plantedAtoms(24, 12, 1);
  const { params, config, deadAtEnd } = await trainSae("test.site", 12, {
    dSae: 32,
    k: 3,
    steps: 1500,
    batchSize: 256,
    lr: 1e-2,
    auxK: 8,
    auxCoef: 1 / 32,
    deadAfterTokens: 256 * 50,
    bufferTokens: 4096,
    seed: 3,
  }, plantedSource(atoms, 2));
  const quality = await measureSae(params, config, await plantedSource(atoms, 99)());
  const decoder = unitDecoder(params);
  const dec = await decoder.array();
  decoder.dispose();
  // Each planted atom should have a decoder row pointing the same way.
  const best = atoms.map((a) => Math.max(...dec.map((row) => row.reduce((s, v, j) => s + v * a[j], 0))));
  const recovered = best.filter((c) => c > 0.9).length;
  console.log(
    `planted: ${recovered}/24 atoms at cosine > 0.9, FVU ${quality.fvu.toFixed(3)}, L0 ${
      quality.l0.toFixed(2)
    }, dead ${deadAtEnd}`,
  );
  assertOk(recovered >= 22, `only ${recovered} of 24 atoms recovered`);
  assertOk(quality.fvu < 0.15, `FVU ${quality.fvu}`);
  assertOk(quality.l0 <= 3 + 1e-9);
  disposeParams(params);
  assertEquals(tf.memory().numTensors, before, "SAE training leaked tensors");
});

Deno.test("topkRelu keeps exactly the k largest positive entries and passes gradient only there", async () => {
  await initBackend("wasm");
  const x = tf.tensor2d([[3, -1, 2, 0.5, 5], [-1, -2, -3, 0.1, -4]]);
  const y = await topkRelu(x, 2).array();
  assertEquals(y, [[3, 0, 0, 0, 5], [0, 0, 0, 0.10000000149011612, 0]]);
  const g = await tf.grad((t: tf.Tensor) => tf.sum(topkRelu(t as tf.Tensor2D, 2)))(x).array();
  assertEquals(g, [[1, 0, 0, 0, 1], [0, 0, 0, 1, 0]]);
  x.dispose();
});

Deno.test("an SAE saves and loads with its hash; corruption is refused", async () => {
  await initBackend("wasm");
  const atoms = plantedAtoms(8, 6, 4);
  const { params, config } = await trainSae("s", 6, {
    dSae: 16,
    k: 2,
    steps: 5,
    batchSize: 64,
    lr: 1e-3,
    auxK: 4,
    auxCoef: 0,
    deadAfterTokens: 1000,
    bufferTokens: 512,
    seed: 1,
  }, plantedSource(atoms, 5));
  const dir = await Deno.makeTempDir();
  const hash = await saveSae(dir, params, config);
  const loaded = await loadSae(dir);
  assertEquals(loaded.hash, hash);
  assertEquals(loaded.config, config);
  const x = tf.randomNormal([4, 6], 0, 1, "float32", 2) as tf.Tensor2D;
  assertEquals(
    await encodeSae(loaded.params, loaded.config, x).array(),
    await encodeSae(params, config, x).array(),
  );
  const bin = await Deno.readFile(join(dir, "sae.bin"));
  await Deno.writeFile(join(dir, "sae.bin"), bin.slice(0, bin.length - 4));
  await assertRejects(() => loadSae(dir), /hash mismatch/);
  disposeParams(params);
  disposeParams(loaded.params);
  x.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the activation buffer serves every row once per refill cycle, deterministically", async () => {
  let next = 0;
  const source = () => Promise.resolve(Float32Array.from({ length: 10 }, () => next++)); // 10 rows of 1
  const a = await ActivationBuffer.fill(1, 20, source, 7);
  const first = Array.from(await a.take(10)); // half the buffer: rows 0..19, each at most once
  assertEquals(new Set(first).size, 10);
  assertOk(first.every((v) => v < 20));
  // The next take refills exactly the 10 served slots (with rows 20..29) and reshuffles: no served row
  // comes back, and every row served is an unserved original or a fresh one, once.
  const second = Array.from(await a.take(10));
  assertEquals(new Set(second).size, 10);
  assertOk(second.every((v) => !first.includes(v) && v < 30), `second cycle ${second}`);
  // The buffer now holds exactly the 10 unserved originals and the 10 fresh rows.
  const held = Array.from(a.rows).sort((x, y) => x - y);
  const expected = [...Array.from({ length: 20 }, (_, i) => i).filter((v) => !first.includes(v))];
  assertEquals(held, [...expected, ...Array.from({ length: 10 }, (_, i) => 20 + i)].sort((x, y) => x - y));
  next = 0;
  const b = await ActivationBuffer.fill(1, 20, source, 7);
  assertEquals(Array.from(await b.take(10)), first);
});
