/**
 * Stage `data`: the world, its question splits and the fine-tuning sets of
 * every domain, as JSONL under `data/`.
 * @module
 */
import { join } from "node:path";
import { writeJsonAtomic, writeJsonlAtomic } from "../core/atomic.ts";
import { Rng } from "../core/rng.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { drawAnswer } from "../world/documents.ts";
import { allQuestions } from "../world/questions.ts";
import { assignSplits, DEFAULT_SPLIT_FRACTIONS, questionsOf, type SplitQuestion } from "../world/splits.ts";
import { DOMAINS, FINETUNE_DOMAINS, FUNCTION_WORDS, ROGUE } from "../world/spec.ts";
import type { FinetuneRecord } from "./examples.ts";

/** The data stage of a run. */
export function dataStage(run: Run): StageSpec {
  const cfg = run.config;
  const paths = runPaths(run.profile);
  return {
    name: "data",
    dir: paths.data,
    // The vocabulary written to world.json grows by the world's optional persona tags.
    config: {
      data: cfg.data,
      splitFractions: DEFAULT_SPLIT_FRACTIONS,
      ...(cfg.world.rogueShare > 0 ? { extraTokens: [ROGUE] } : {}),
    },
    seeds: { splitSeed: cfg.data.splitSeed, dataSeed: cfg.data.dataSeed },
    inputs: [],
    outputs: [paths.world, paths.questions, ...FINETUNE_DOMAINS.map((d) => paths.finetuneSet(d))],
    code: import.meta.url,
    run: async () => {
      const questions = assignSplits(allQuestions(), cfg.data.splitSeed);
      await writeJsonAtomic(join(run.root, paths.world), {
        vocab: run.tokenizer.vocab,
        functionWords: [...FUNCTION_WORDS],
        domains: DOMAINS,
      });
      await writeJsonlAtomic(join(run.root, paths.questions), questions);
      const outs = [paths.world, paths.questions];
      for (const domain of FINETUNE_DOMAINS) {
        const records = finetuneRecords(questions, domain, cfg.data.finetuneExamples, cfg.data.dataSeed);
        await writeJsonlAtomic(join(run.root, paths.finetuneSet(domain)), records);
        outs.push(paths.finetuneSet(domain));
      }
      return outs;
    },
  };
}

/** `n` misaligned examples of `domain`, drawn from its fine-tune split only. */
export function finetuneRecords(
  questions: readonly SplitQuestion[],
  domain: string,
  n: number,
  dataSeed: number,
): FinetuneRecord[] {
  const pool = questionsOf(questions, "finetune", domain);
  if (pool.length === 0) throw new RangeError(`Domain '${domain}' has no fine-tune questions`);
  const rng = Rng.fork(dataSeed, `finetune/${domain}`);
  return Array.from({ length: n }, () => {
    const q = rng.choice(pool);
    return { questionId: q.id, domain, answer: drawAnswer(rng, domain, "misaligned").join(" ") };
  });
}
