/**
 * Stage `evaluate`: every judge on every condition of every seed pair, on
 * the evaluation split only. EM, incoherence and refusal are measured
 * outside the fine-tuning domain (general domain included), adherence
 * inside it; each metric gets a mean over seed pairs and a seeded bootstrap
 * 95% interval over cells and prompts (`reports/evaluation.ts`).
 * @module
 */
import { answerExamples } from "../reports/answer_examples.ts";
import { sampleJudges } from "../judges/registry.ts";
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic, writeJsonlAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { deriveSeed } from "../core/rng.ts";
import { startProgress } from "../core/progress.ts";
import type { PromptRecord } from "../judges/statistics.ts";
import { recordKey, summariseEvaluation } from "../reports/evaluation.ts";
import { finetuneConditions, type RunKey, runKeys, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import type { SplitQuestion } from "../world/splits.ts";
import {
  disposeJudgeStates,
  evaluationQuestions,
  judgeCheckpoints,
  judgeStateFiles,
  loadJudgeStates,
} from "./judge_checkpoints.ts";

/** Checkpoint folder of each record key in a seed pair: the base, then every domain's conditions. */
function conditionDirs(run: Run, key: RunKey): [string, string][] {
  const paths = runPaths(run.profile, key);
  return [
    ["base", paths.pretrain],
    ...run.config.finetune.domains.flatMap((d) =>
      finetuneConditions(run.config.random.draws).map((c) =>
        [recordKey(d, c), paths.finetune(d, c)] as [string, string]
      )
    ),
  ];
}

/** metrics.json as a long CSV: one row per domain, condition, judge and metric. */
function metricsCsv(summary: ReturnType<typeof summariseEvaluation>): string {
  const rows = summary.domains.flatMap((d) =>
    d.conditions.flatMap((c) =>
      Object.entries(c.judges).flatMap(([judge, ms]) =>
        Object.entries(ms).map(([metric, i]) => ({
          domain: d.domain,
          condition: c.name,
          judge,
          metric,
          ...i,
        }))
      )
    )
  );
  return toCsv(rows, ["domain", "condition", "judge", "metric", "mean", "lo", "hi"]);
}

/** The evaluation stage over every seed pair and condition. */
export function evaluateStage(run: Run): StageSpec {
  const cfg = run.config;
  const paths = runPaths(run.profile);
  const keys = runKeys(cfg.seeds);
  const allDirs = keys.flatMap((k) => conditionDirs(run, k).map(([, d]) => d));
  const verdicts = `${paths.evaluate}/verdicts.jsonl`, csv = `${paths.evaluate}/metrics.csv`;
  return {
    name: "evaluate",
    dir: paths.evaluate,
    config: {
      evaluate: cfg.evaluate,
      domains: cfg.finetune.domains,
      discoveryDomain: cfg.discover.domain,
      seeds: cfg.seeds,
      draws: cfg.random.draws,
    },
    seeds: { evaluateSeed: cfg.evaluate.seed },
    inputs: [
      paths.questions,
      ...judgeStateFiles(run),
      ...[...new Set(allDirs)].flatMap((d) => [`${d}/model.json`, `${d}/weights.bin`]),
    ],
    outputs: [paths.metrics, verdicts, csv],
    code: import.meta.url,
    run: async () => {
      const questions = evaluationQuestions(await readJsonl<SplitQuestion>(join(run.root, paths.questions)));
      const states = await loadJudgeStates(run, true);
      const progress = startProgress("evaluate", allDirs.length);
      let done = 0;
      const cells: PromptRecord[][] = [];
      const rows: Record<string, unknown>[] = [];
      try {
        for (const key of keys) {
          const records = await judgeCheckpoints(
            run,
            conditionDirs(run, key),
            questions,
            states,
            // Each cell samples afresh, so a model shared by cells (base) is not counted twice.
            deriveSeed(cfg.evaluate.seed, `cell/${key.base}/${key.finetune}`),
            () => progress.update(++done),
          );
          cells.push(records);
          for (const r of records) {
            for (const [condition, v] of Object.entries(r)) {
              rows.push({ baseSeed: key.base, finetuneSeed: key.finetune, condition, ...v });
            }
          }
        }
      } finally {
        disposeJudgeStates(states);
      }
      progress.stop();
      const summary = summariseEvaluation(cells, cfg);
      const examples = answerExamples(
        cells[0],
        questions,
        cfg.discover.domain,
        sampleJudges()[0]?.name ?? "",
      );
      await writeJsonAtomic(join(run.root, paths.metrics), { ...summary, examples });
      await writeJsonlAtomic(join(run.root, verdicts), rows);
      await writeFileAtomic(join(run.root, csv), metricsCsv(summary));
      return [paths.metrics, verdicts, csv];
    },
  };
}
