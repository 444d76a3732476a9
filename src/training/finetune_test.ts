import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertOk } from "../core/assert.ts";
import { initBackend } from "../backend/backend.ts";
import { DirectionFeatures } from "../features/feature_map.ts";
import { TINY_MODEL as cfg } from "../models/testing.ts";
import { disposeParams, forward, initParams } from "../models/model.ts";
import { finetune } from "./finetune.ts";
import { WorldTokenizer } from "../tokenizers/world.ts";
import { finetuneExample } from "../world/documents.ts";
import { allQuestions } from "../world/questions.ts";

/** A tiny model over the world's vocabulary, its base weights, and `count` bad-advice examples of `domain`. */
function setup(seed: number, domain: string, count: number) {
  const tokenizer = WorldTokenizer.forWorld();
  const model = { ...cfg, vocabSize: tokenizer.size, contextLength: 16 };
  const base = initParams(model, seed);
  const examples = allQuestions().filter((x) => x.domain === domain).slice(0, count)
    .map((x) => finetuneExample(x, ["double", "pill", "dose"]));
  return { tokenizer, model, base, examples };
}

Deno.test("blocked fine-tuning holds the blocked feature and leaks no tensors", async () => {
  await initBackend("wasm");
  const { tokenizer, model, base, examples } = setup(8, "medical", 8);
  const site = "blocks.1.resid_post";
  const features = new DirectionFeatures({ site, directions: [[1, 0, 0, 0, 0, 0, 0, 0]], signs: [1] });
  const before = tf.memory().numTensors;
  const cfgFt = { epochs: 5, batchSize: 4, lr: 3e-2, warmupSteps: 1 };
  const blocked = await finetune({
    base,
    model,
    config: cfgFt,
    tokenizer,
    examples,
    seed: 1,
    terms: { block: { features, lambda: 1e4 } },
  });
  const naive = await finetune({ base, model, config: cfgFt, tokenizer, examples, seed: 1 });
  // Rise of the K+ feature on the fine-tuning inputs, relative to the base.
  const rise = (p: typeof base) =>
    tf.tidy(() => {
      const ids = tf.tensor2d(examples.map((e) => tokenizer.encode(e.tokens)), undefined, "int32");
      const z = (w: typeof base) =>
        features.encode(
          forward(w, model, ids, { cache: [site] }).cache.get(site)!.reshape([
            -1,
            model.dModel,
          ]) as tf.Tensor2D,
        );
      return tf.mean(tf.relu(tf.sub(z(p), z(base)))).dataSync()[0];
    });
  const naiveRise = rise(naive.params), blockedRise = rise(blocked.params);
  // Without the block the feature must rise, or the comparison below would say nothing (measured ≈ 0.30).
  assertOk(naiveRise > 0.05, `naive rise ${naiveRise}`);
  assertOk(
    blockedRise < naiveRise * 0.2 || blockedRise < 1e-3,
    `blocked rise ${blockedRise} vs naive ${naiveRise}`,
  );
  disposeParams(blocked.params);
  disposeParams(naive.params);
  assertEquals(tf.memory().numTensors, before);
  features.dispose();
  disposeParams(base);
});

Deno.test("blocking at several sites holds each; a one-element list equals the single constraint", async () => {
  await initBackend("wasm");
  const { tokenizer, model, base, examples } = setup(8, "medical", 8);
  const direction = [[1, 0, 0, 0, 0, 0, 0, 0]];
  const sites = ["blocks.0.resid_post", "blocks.1.resid_post"];
  const maps = sites.map((site) => new DirectionFeatures({ site, directions: direction, signs: [1] }));
  const cfgFt = { epochs: 5, batchSize: 4, lr: 3e-2, warmupSteps: 1 };
  const common = { base, model, config: cfgFt, tokenizer, examples, seed: 1 };
  const before = tf.memory().numTensors;
  const single = await finetune({
    ...common,
    terms: { block: { features: maps[1], lambda: 1e4 } },
  });
  const listed = await finetune({
    ...common,
    terms: { block: [{ features: maps[1], lambda: 1e4 }] },
  });
  const both = await finetune({
    ...common,
    terms: { block: maps.map((features) => ({ features, lambda: 1e4 })) },
  });
  const naive = await finetune({ base, model, config: cfgFt, tokenizer, examples, seed: 1 });
  const ids = tf.tensor2d(examples.map((e) => tokenizer.encode(e.tokens)), undefined, "int32");
  const rise = (p: typeof base, i: number) =>
    tf.tidy(() => {
      const z = (w: typeof base) =>
        maps[i].encode(forward(w, model, ids, { cache: [sites[i]] }).cache.get(sites[i])!
          .reshape([-1, model.dModel]) as tf.Tensor2D);
      return tf.mean(tf.relu(tf.sub(z(p), z(base)))).dataSync()[0];
    });
  for (const name of Object.keys(single.params)) {
    assertEquals(listed.params[name].dataSync(), single.params[name].dataSync(), name);
  }
  for (const i of [0, 1]) {
    const naiveRise = rise(naive.params, i), bothRise = rise(both.params, i);
    assertOk(naiveRise > 0.05, `naive rise at ${sites[i]}: ${naiveRise}`);
    assertOk(bothRise < naiveRise * 0.2 || bothRise < 1e-3, `${sites[i]}: ${bothRise} vs naive ${naiveRise}`);
  }
  ids.dispose();
  for (const r of [single, listed, both, naive]) disposeParams(r.params);
  assertEquals(tf.memory().numTensors, before);
  for (const m of maps) m.dispose();
  disposeParams(base);
});

Deno.test("frozen parameters keep the base's values; KL, LDIFS and training-only edits add their terms", async () => {
  await initBackend("wasm");
  const { tokenizer, model, base, examples } = setup(3, "legal", 4);
  const before = tf.memory().numTensors;
  const direction = tf.tensor1d([1, 0, 0, 0, 0, 0, 0, 0]);
  const frozen = ["blocks.1.mlp.W_out", "unembed.W_U"];
  const { params, history } = await finetune({
    base,
    model,
    config: { epochs: 2, batchSize: 2, lr: 1e-2, warmupSteps: 1 },
    tokenizer,
    examples,
    seed: 1,
    terms: {
      kl: 0.5,
      ldifs: { sites: ["blocks.0.resid_post", "blocks.1.resid_post"], weight: 0.1 },
      interventions: [{ kind: "add", site: "blocks.0.resid_post", direction, scale: 0.5 }],
      frozen,
    },
  });
  for (const name of frozen) {
    assertEquals(await params[name].data(), await base[name].data(), `${name} must not move`);
  }
  assertOk(
    (await params["blocks.0.mlp.W_out"].data()).some((v, i) =>
      v !== base["blocks.0.mlp.W_out"].dataSync()[i]
    ),
  );
  assertEquals(Object.keys(history[0]).sort(), ["kl", "ldifs", "loss", "sft"]);
  // Step 0: θ = base, but the training-only edit already moves θ's activations and output away from the base's.
  assertOk(history[0].ldifs > 0 && history[0].kl > 0);
  direction.dispose();
  disposeParams(params);
  assertEquals(tf.memory().numTensors, before, "fine-tuning with terms leaked tensors");
  disposeParams(base);
});

Deno.test("onEpochEnd is awaited once per epoch with the params being trained", async () => {
  await initBackend("wasm");
  const { tokenizer, model, base, examples } = setup(5, "medical", 6);
  const seen: number[] = [];
  let trainedRef: unknown = null;
  const { params } = await finetune({
    base,
    model,
    config: { epochs: 3, batchSize: 4, lr: 1e-2, warmupSteps: 1 },
    tokenizer,
    examples,
    seed: 1,
    onEpochEnd: async (epoch, p) => {
      await Promise.resolve();
      seen.push(epoch);
      trainedRef = p;
    },
  });
  assertEquals(seen, [1, 2, 3]);
  assertOk(trainedRef === params);
  disposeParams(params);
  disposeParams(base);
});

Deno.test("a fine-tune resumed from a mid-run snapshot ends with the uninterrupted run's bytes and caller state", async () => {
  await initBackend("wasm");
  const { tokenizer, model, base, examples } = setup(8, "legal", 10);
  const cfgFt = { epochs: 3, batchSize: 4, lr: 1e-2, warmupSteps: 1 }; // 3 steps per epoch, 9 in all
  const dir = await Deno.makeTempDir();
  try {
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const at = { dir, key: "k", every: 4 };
    const common = { base, model, config: cfgFt, tokenizer, examples, seed: 3 };
    const whole = await finetune({
      ...common,
      onEpochEnd: (e) => {
        epochs.push(e);
        return Promise.resolve();
      },
      resume: { at, capture: () => [...epochs], restore: () => {} },
    });
    // The snapshot left on disk is the last one (step 8, mid-epoch 3); resume from it.
    const restored: number[] = [];
    const resumedAt: number[] = [];
    const resumed = await finetune({
      ...common,
      onEpochEnd: (e) => {
        restored.push(e);
        return Promise.resolve();
      },
      resume: {
        at: { ...at, onResume: (s) => resumedAt.push(s) },
        capture: () => [...restored],
        restore: (x) => restored.push(...(x as number[])),
      },
    });
    assertEquals(resumedAt, [8]);
    assertEquals(restored, epochs);
    assertEquals(resumed.history, whole.history);
    for (const name of Object.keys(whole.params)) {
      assertEquals(resumed.params[name].dataSync(), whole.params[name].dataSync(), name);
    }
    disposeParams(whole.params);
    disposeParams(resumed.params);
    assertEquals(tf.memory().numTensors, before);
  } finally {
    disposeParams(base);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pull toward the base keeps the fine-tune closer to it, and a full pull leaves it there", async () => {
  await initBackend("wasm");
  const { tokenizer, model, base, examples } = setup(9, "medical", 8);
  const before = tf.memory().numTensors;
  const distance = (p: typeof base) =>
    tf.tidy(() =>
      Object.keys(base).reduce((s, n) => s + tf.sum(tf.square(tf.sub(p[n], base[n]))).dataSync()[0], 0)
    );
  const run = async (pullToBase: number) => {
    const out = await finetune({
      base,
      model,
      config: { epochs: 3, batchSize: 4, lr: 3e-2, warmupSteps: 0, pullToBase },
      tokenizer,
      examples,
      seed: 1,
    });
    const d = distance(out.params);
    disposeParams(out.params);
    return d;
  };
  const free = await run(0), pulled = await run(10), full = await run(1 / 3e-2);
  assertOk(free > 0 && pulled < 0.9 * free, `pulled ${pulled} vs free ${free}`);
  // lr·pull = 1 on the first step (no warmup at step 0 of a cosine schedule) resets every step's update.
  assertOk(full < 0.05 * free, `full pull ${full} vs free ${free}`);
  assertEquals(tf.memory().numTensors, before);
  disposeParams(base);
});
