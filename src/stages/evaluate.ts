/**
 * Stage `evaluate`: every judge on every condition of every seed pair, on
 * the evaluation split only. EM, incoherence and refusal are measured
 * outside the fine-tuning domain (general domain included), adherence
 * inside it; each metric gets a mean over seed pairs and a seeded bootstrap
 * 95% interval over cells and prompts (`reports/evaluation.ts`).
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic, writeJsonlAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { deriveSeed } from "../core/rng.ts";
import { startProgress } from "../core/progress.ts";
import { evaluateModel } from "../judges/evaluate_model.ts";
import { JUDGES } from "../judges/registry.ts";
import type { PromptRecord } from "../judges/statistics.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { transformerLM } from "../models/language_model.ts";
import { disposeParams } from "../models/model.ts";
import { recordKey, summariseEvaluation } from "../reports/evaluation.ts";
import { finetuneConditions, type RunKey, runKeys, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import type { SplitQuestion } from "../world/splits.ts";

/** The evaluation split, and nothing else: evaluation never reads fine-tuning, selection or judge prompts. */
export function evaluationQuestions(questions: readonly SplitQuestion[]): SplitQuestion[] {
  return questions.filter((q) => q.split === "evaluation");
}

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

/** The files of the judges' trained states (the learned judge's classifier). */
export function judgeStateFiles(run: Run): string[] {
  const paths = runPaths(run.profile);
  return JUDGES.flatMap((j) => (j.state ? [paths.profileFile(j.state.file)] : []));
}

/**
 * Load every judge's trained state. A missing one is an error when
 * `required`; otherwise that judge is left out, with a note naming the
 * command that trains it.
 */
export async function loadJudgeStates(
  run: Run,
  required: boolean,
  note: (line: string) => void = () => {},
): Promise<Map<string, unknown>> {
  const states = new Map<string, unknown>();
  for (const j of JUDGES) {
    if (!j.state) continue;
    const file = runPaths(run.profile).profileFile(j.state.file);
    try {
      states.set(j.name, await j.state.load(join(run.root, file)));
    } catch (err) {
      if (required) throw err;
      note(`note: no ${j.name} judge at ${file}; run '${j.state.command}' to add it`);
    }
  }
  return states;
}

/** Free the judges' trained states. */
export function disposeJudgeStates(states: ReadonlyMap<string, unknown>): void {
  for (const j of JUDGES) if (j.state && states.has(j.name)) j.state.dispose(states.get(j.name));
}

/** Judge every listed checkpoint on the evaluation questions. */
export async function judgeCheckpoints(
  run: Run,
  dirs: readonly [string, string][],
  questions: readonly SplitQuestion[],
  states: ReadonlyMap<string, unknown>,
  samplingSeed: number,
  onDone?: () => void,
): Promise<PromptRecord[]> {
  const stray = questions.find((q) => q.split !== "evaluation");
  if (stray) {
    throw new Error(`Evaluation may only read evaluation-split prompts; ${stray.id} is in '${stray.split}'`);
  }
  const cfg = run.config;
  const records: PromptRecord[] = questions.map(() => ({}));
  for (const [name, dir] of dirs) {
    const { params, config } = await loadCheckpoint(join(run.root, dir));
    const verdicts = await evaluateModel(transformerLM(params, config), run.tokenizer, questions, {
      samplesPerPrompt: cfg.evaluate.samplesPerPrompt,
      maxAnswerTokens: cfg.evaluate.maxAnswerTokens,
      seed: samplingSeed,
      batchSize: cfg.evaluate.batchSize,
      states,
    });
    disposeParams(params);
    verdicts.forEach((v, i) => (records[i][name] = v));
    onDone?.();
  }
  return records;
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
      await writeJsonAtomic(join(run.root, paths.metrics), summary);
      await writeJsonlAtomic(join(run.root, verdicts), rows);
      await writeFileAtomic(join(run.root, csv), metricsCsv(summary));
      return [paths.metrics, verdicts, csv];
    },
  };
}
