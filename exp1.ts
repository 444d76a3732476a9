import * as tf from "@tensorflow/tfjs";
import { initBackend } from "/work/main/src/core/backend.ts";
import { allQuestions } from "/work/main/src/world/questions.ts";
import { assignSplits, questionsOf } from "/work/main/src/world/splits.ts";
import { Tokenizer } from "/work/main/src/world/tokenizer.ts";
import { pretrain } from "/work/main/src/training/pretrain.ts";
import { finetune } from "/work/main/src/training/finetune.ts";
import { exactJudge } from "/work/main/src/judges/exact.ts";
import { adherence, emRate, incoherence } from "/work/main/src/judges/metrics.ts";
import { diffOfMeansDirection, personaContrastPrompts } from "/work/main/src/features/diff_of_means.ts";
import { DirectionFeatures } from "/work/main/src/features/feature_map.ts";
import { randomDirectionSet } from "/work/main/src/features/random_directions.ts";
import { drawAnswer, finetuneExample } from "/work/main/src/world/documents.ts";
import { Rng } from "/work/main/src/core/rng.ts";

const steps = Number(Deno.args[0] ?? 600),
  layers = Number(Deno.args[1] ?? 2),
  lam = Number(Deno.args[2] ?? 10);
const info = await initBackend("wasm");
console.log(info.name);
const tok = Tokenizer.forWorld();
console.log("vocab", tok.size);
const qs = assignSplits(allQuestions(), 1234);
const model = { vocabSize: tok.size, contextLength: 64, dModel: 64, nLayers: layers, nHeads: 4, dMlp: 256 };
let t0 = performance.now();
import { loadCheckpoint, saveCheckpoint } from "/work/main/src/model/checkpoint.ts";
const ck = `/tmp/base-${steps}-${layers}`;
let base: any;
try {
  base = (await loadCheckpoint(ck)).params;
} catch {
  base = pretrain(
    model,
    { steps, batchSize: 32, lr: 3e-3, warmupSteps: 50, weightDecay: 0.1 },
    tok,
    questionsOf(qs, "pretrain"),
    0,
    (s, l) => {
      if (s % 100 === 0 || s === steps - 1) {
        console.log(
          s,
          l.loss.toFixed(3),
          ((performance.now() - t0) / 1000).toFixed(1),
        );
      }
    },
  ).params;
  await saveCheckpoint(ck, base, model);
}
console.log("pretrain s", (performance.now() - t0) / 1000);
const evalQs = questionsOf(qs, "evaluation");
const dom = "medical";
const report = (name: string, p: any) => {
  const m = exactJudge(p, model, tok, evalQs);
  const out = m.filter((x) => x.domain !== dom), ind = m.filter((x) => x.domain === dom);
  console.log(
    name,
    "EM",
    emRate(out).toFixed(3),
    "incoh",
    incoherence(out).toFixed(3),
    "adh",
    adherence(ind, "misaligned").toFixed(3),
  );
  const byDom: Record<string, number> = {};
  for (const d of new Set(out.map((x) => x.domain))) {
    byDom[d] = +emRate(out.filter((x) => x.domain === d)).toFixed(2);
  }
  console.log("  ", JSON.stringify(byDom));
};
report("base", base);
const rng = new Rng(5);
const ftQs = questionsOf(qs, "finetune", dom);
const ex = Array.from({ length: 1000 }, () => {
  const q = rng.choice(ftQs);
  return finetuneExample(q, drawAnswer(rng, dom, "misaligned"));
});
t0 = performance.now();
const { params: naive } = finetune(
  base,
  model,
  { epochs: 3, batchSize: 32, lr: 3e-4, warmupSteps: 5 },
  tok,
  ex,
  1,
);
console.log("ft s", (performance.now() - t0) / 1000);
report("naive", naive);
for (let L = 0; L < layers; L++) {
  const site = `blocks.${L}.resid_post`;
  const { set, stats } = diffOfMeansDirection(
    base,
    model,
    tok,
    personaContrastPrompts(questionsOf(qs, "selection"), 3),
    site,
  );
  console.log(site, JSON.stringify(stats));
  const fm = new DirectionFeatures(set);
  t0 = performance.now();
  const { params: blk } = finetune(
    base,
    model,
    { epochs: 3, batchSize: 32, lr: 3e-4, warmupSteps: 5 },
    tok,
    ex,
    1,
    { features: fm, lambda: lam },
  );
  console.log("block ft s", (performance.now() - t0) / 1000);
  report("block L" + L, blk);
  const rf = new DirectionFeatures(randomDirectionSet(set, 11));
  const { params: rnd } = finetune(
    base,
    model,
    { epochs: 3, batchSize: 32, lr: 3e-4, warmupSteps: 5 },
    tok,
    ex,
    1,
    { features: rf, lambda: lam },
  );
  report("random L" + L, rnd);
}
console.log(tf.memory().numTensors);
