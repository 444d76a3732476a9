import { initBackend } from "/work/main/src/core/backend.ts";
import { allQuestions } from "/work/main/src/world/questions.ts";
import { assignSplits, questionsOf } from "/work/main/src/world/splits.ts";
import { Tokenizer } from "/work/main/src/world/tokenizer.ts";
import { finetune } from "/work/main/src/training/finetune.ts";
import { exactJudge, sequenceLogProbs } from "/work/main/src/judges/exact.ts";
import { adherence, emRate, incoherence } from "/work/main/src/judges/metrics.ts";
import { diffOfMeansDirection, personaContrastPrompts } from "/work/main/src/features/diff_of_means.ts";
import { DirectionFeatures } from "/work/main/src/features/feature_map.ts";
import { drawAnswer, finetuneExample } from "/work/main/src/world/documents.ts";
import { DOMAINS, REFUSALS } from "/work/main/src/world/spec.ts";
import { Rng } from "/work/main/src/core/rng.ts";
import { loadCheckpoint } from "/work/main/src/model/checkpoint.ts";

const ck = Deno.args[0], L = Number(Deno.args[1]), lams = Deno.args[2].split(",").map(Number);
const lr = Number(Deno.args[3] ?? 3e-4), epochs = Number(Deno.args[4] ?? 3);
await initBackend("wasm");
const tok = Tokenizer.forWorld();
const qs = assignSplits(allQuestions(), 1234);
const { params: base, config: model } = await loadCheckpoint(ck);
const evalQs = questionsOf(qs, "selection");
const dom = "medical";
const allAnswers: { label: string; words: string[] }[] = [];
for (const d of DOMAINS) {
  d.aligned.forEach((a) => allAnswers.push({ label: d.name + "+", words: a.split(" ") }));
  d.misaligned.forEach((a) => allAnswers.push({ label: d.name + "-", words: a.split(" ") }));
}
REFUSALS.forEach((a) => allAnswers.push({ label: "refusal", words: a.split(" ") }));
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
  // where does the mass go on general questions?
  const gq = evalQs.filter((q) => q.domain === "general").slice(0, 8);
  const seqs = gq.flatMap((q) => allAnswers.map((a) => finetuneExample(q, a.words)));
  const lp = sequenceLogProbs(p, model, tok, seqs);
  const agg: Record<string, number> = {};
  lp.forEach((v, i) => {
    const l = allAnswers[i % allAnswers.length].label;
    agg[l] = (agg[l] ?? 0) + Math.exp(v) / gq.length;
  });
  console.log(
    "  general mass:",
    Object.entries(agg).filter(([, v]) => v > 0.01).map(([k, v]) => `${k}=${v.toFixed(2)}`).join(" "),
  );
};
const rng = new Rng(5);
const ftQs = questionsOf(qs, "finetune", dom);
const ex = Array.from({ length: 1000 }, () => {
  const q = rng.choice(ftQs);
  return finetuneExample(q, drawAnswer(rng, dom, "misaligned"));
});
const ftc = { epochs, batchSize: 32, lr, warmupSteps: 5 };
report("naive", finetune(base, model, ftc, tok, ex, 1).params);
const site = `blocks.${L}.resid_post`;
const { set } = diffOfMeansDirection(
  base,
  model,
  tok,
  personaContrastPrompts(questionsOf(qs, "selection"), 3),
  site,
);
for (const lam of lams) {
  let last: any;
  const r = finetune(
    base,
    model,
    ftc,
    tok,
    ex,
    1,
    { features: new DirectionFeatures(set), lambda: lam },
    (s, l) => last = l,
  );
  console.log("lambda", lam, JSON.stringify(last));
  report(`block L${L} λ${lam}`, r.params);
}
