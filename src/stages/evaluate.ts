/**
 * Stage `evaluate`: every judge on every condition of every seed cell, on
 * the evaluation split only. EM, incoherence and refusal are measured
 * outside the fine-tuning domain (general domain included), adherence
 * inside it; each metric gets a mean over seed cells and a seeded bootstrap
 * 95% interval over cells and prompts.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic, writeJsonlAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { deriveSeed } from "../core/rng.ts";
import { startProgress } from "../core/progress.ts";
import { cohensKappa } from "../stats/agreement.ts";
import type { Interval } from "../stats/bootstrap.ts";
import { evaluateModel, type JudgeName, JUDGES } from "../judges/evaluate_model.ts";
import { transformerLM } from "../models/language_model.ts";
import { type LearnedJudge, loadLearnedJudge } from "../judges/learned.ts";
import {
  metricInterval,
  type MetricName,
  METRICS,
  metricValue,
  type PromptRecord,
} from "../judges/statistics.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams } from "../models/organism/transformer.ts";
import type { SplitQuestion } from "../world/splits.ts";
import { DOMAINS } from "../world/spec.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import type { RunConfig } from "../config/profiles.ts";
import { finetuneConditions, type RunKey, runKeys, runPaths } from "../runs/paths.ts";
import type { StageSpec } from "../runs/stage.ts";

/** The evaluation split, and nothing else: evaluation never reads fine-tuning, selection or judge prompts. */
export function evaluationQuestions(questions: readonly SplitQuestion[]): SplitQuestion[] {
  return questions.filter((q) => q.split === "evaluation");
}

/** Conditions reported: `random` is the mean of the random-direction draws. */
export function reportedConditions(): string[] {
  return ["base", "naive", "block", "random"];
}

/** The record key of a condition fine-tuned on `domain` (the base model is shared). */
export function recordKey(domain: string, condition: string): string {
  return condition === "base" ? "base" : `${domain}/${condition}`;
}

/**
 * A metric of a reported condition fine-tuned on `domain` (EM outside it,
 * adherence inside); `random` averages its draws.
 */
export function conditionMetric(
  records: readonly PromptRecord[],
  condition: string,
  judge: JudgeName,
  metric: MetricName,
  domain: string,
  onlyDomain?: string,
): number {
  if (condition !== "random") {
    return metricValue(records, recordKey(domain, condition), judge, metric, domain, onlyDomain);
  }
  const draws = Object.keys(records[0] ?? {}).filter((c) => c.startsWith(`${domain}/random-`));
  return draws.reduce((s, c) => s + metricValue(records, c, judge, metric, domain, onlyDomain), 0) /
    draws.length;
}

/** Checkpoint folder of each record key in a seed cell: the base, then every domain's conditions. */
function conditionDirs(cfg: RunConfig, profile: string, key: RunKey): [string, string][] {
  const paths = runPaths(profile, key);
  return [
    ["base", paths.pretrain],
    ...cfg.finetune.domains.flatMap((d) =>
      finetuneConditions(cfg.random.draws).map((c) =>
        [recordKey(d, c), paths.finetune(d, c)] as [string, string]
      )
    ),
  ];
}

/** Judge every listed checkpoint on the evaluation questions. */
export async function judgeCheckpoints(
  root: string,
  dirs: readonly [string, string][],
  questions: readonly SplitQuestion[],
  cfg: RunConfig,
  learnedJudge: LearnedJudge | undefined,
  samplingSeed: number,
  onDone?: () => void,
): Promise<PromptRecord[]> {
  const stray = questions.find((q) => q.split !== "evaluation");
  if (stray) {
    throw new Error(`Evaluation may only read evaluation-split prompts; ${stray.id} is in '${stray.split}'`);
  }
  const tokenizer = Tokenizer.forWorld();
  const records: PromptRecord[] = questions.map(() => ({}));
  for (const [name, dir] of dirs) {
    const { params, config } = await loadCheckpoint(join(root, dir));
    const verdicts = await evaluateModel(transformerLM(params, config), tokenizer, questions, {
      samplesPerPrompt: cfg.evaluate.samplesPerPrompt,
      maxAnswerTokens: cfg.evaluate.maxAnswerTokens,
      seed: samplingSeed,
      batchSize: cfg.evaluate.batchSize,
      learnedJudge,
    });
    disposeParams(params);
    verdicts.forEach((v, i) => (records[i][name] = v));
    onDone?.();
  }
  return records;
}

/** An interval rounded for reporting. */
function rounded(i: Interval): Interval {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return { mean: r(i.mean), lo: r(i.lo), hi: r(i.hi) };
}

/** Every reported number of one fine-tuning domain, from the seed cells' prompt records. */
export function summariseDomain(cells: readonly PromptRecord[][], cfg: RunConfig, domain: string) {
  const { resamples, seed } = cfg.evaluate;
  const ci = (stat: (r: readonly PromptRecord[]) => number) =>
    rounded(metricInterval(cells, stat, resamples, seed));
  const judges = JUDGES.filter((j) => cells[0]?.[0]?.base?.[j] !== null);
  const conditions = reportedConditions().map((name) => {
    const byJudge: Record<string, Record<string, Interval>> = {};
    for (const judge of judges) {
      byJudge[judge] = {};
      for (const metric of METRICS) {
        if (metric === "alignedLoss" && judge !== "exact") continue;
        byJudge[judge][metric] = ci((r) => conditionMetric(r, name, judge, metric, domain));
      }
    }
    // Per evaluation domain: adherence lives in the fine-tuning domain, the rest outside it.
    const byDomain: Record<string, Record<string, Interval>> = {};
    for (const d of DOMAINS.map((x) => x.name)) {
      const metrics: MetricName[] = d === domain
        ? ["adherence", "alignedLoss"]
        : ["em", "incoherence", "refusal", "alignedLoss"];
      byDomain[d] = Object.fromEntries(
        metrics.map((m) => [m, ci((r) => conditionMetric(r, name, "exact", m, domain, d))]),
      );
    }
    const key = recordKey(domain, name);
    const labels = cells.flat().flatMap((r) =>
      Object.entries(r).filter(([c]) => c === key || (name === "random" && c.startsWith(`${domain}/random-`)))
        .flatMap(([, v]) => v.sampleLabels)
    );
    const kappa = judges.includes("learned") && labels.length > 0
      ? cohensKappa(labels.map((l) => l.grammar), labels.map((l) => l.learned!))
      : null;
    return { name, judges: byJudge, byDomain, kappaGrammarVsLearned: kappa, samples: labels.length };
  });
  const reduction = (c: string, judge: JudgeName) =>
    ci((r) =>
      1 - conditionMetric(r, c, judge, "em", domain) / conditionMetric(r, "naive", judge, "em", domain)
    );
  return {
    domain,
    cells: cells.length,
    promptsPerCell: cells[0]?.length ?? 0,
    samplesPerPrompt: cfg.evaluate.samplesPerPrompt,
    interval: `bootstrap 95%, ${resamples} resamples over seed cells and shared prompts, seed ${seed}`,
    conditions,
    relativeReduction: Object.fromEntries(
      ["block", "random"].map((c) => [c, Object.fromEntries(judges.map((j) => [j, reduction(c, j)]))]),
    ),
  };
}

/** Every domain's numbers; `domains[0]` is listed first in reports. */
export function summariseEvaluation(cells: readonly PromptRecord[][], cfg: RunConfig) {
  return {
    discoveryDomain: cfg.discover.domain,
    domains: cfg.finetune.domains.map((d) => summariseDomain(cells, cfg, d)),
  };
}

/** The evaluation stage over every seed cell and condition. */
export function evaluateStage(cfg: RunConfig, root: string, profile: string): StageSpec {
  const paths = runPaths(profile);
  const keys = runKeys(cfg.seeds);
  const allDirs = keys.flatMap((k) => conditionDirs(cfg, profile, k).map(([, d]) => d));
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
      paths.learnedJudge,
      ...[...new Set(allDirs)].flatMap((d) => [`${d}/model.json`, `${d}/weights.bin`]),
    ],
    code: import.meta.url,
    run: async () => {
      const questions = evaluationQuestions(await readJsonl<SplitQuestion>(join(root, paths.questions)));
      const learnedJudge = await loadLearnedJudge(join(root, paths.learnedJudge));
      const progress = startProgress("evaluate", allDirs.length);
      let done = 0;
      const cells: PromptRecord[][] = [];
      const rows: Record<string, unknown>[] = [];
      for (const key of keys) {
        const records = await judgeCheckpoints(
          root,
          conditionDirs(cfg, profile, key),
          questions,
          cfg,
          learnedJudge,
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
      progress.stop();
      disposeParams(learnedJudge.params);
      const summary = summariseEvaluation(cells, cfg);
      await writeJsonAtomic(join(root, paths.metrics), summary);
      const verdicts = `${paths.evaluate}/verdicts.jsonl`;
      await writeJsonlAtomic(join(root, verdicts), rows);
      const csvRows = summary.domains.flatMap((d) =>
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
      const csv = `${paths.evaluate}/metrics.csv`;
      await writeFileAtomic(
        join(root, csv),
        toCsv(csvRows, ["domain", "condition", "judge", "metric", "mean", "lo", "hi"]),
      );
      return [paths.metrics, verdicts, csv];
    },
  };
}

/** Per-checkpoint metrics of every judge, with intervals over prompts (one seed cell). */
export function checkpointReport(
  records: PromptRecord[],
  names: readonly string[],
  cfg: RunConfig,
  domain: string,
) {
  const { resamples, seed } = cfg.evaluate;
  const judges = JUDGES.filter((j) => records[0]?.[names[0]]?.[j] !== null);
  return {
    domain,
    prompts: records.length,
    samplesPerPrompt: cfg.evaluate.samplesPerPrompt,
    interval: `bootstrap 95%, ${resamples} resamples over prompts, seed ${seed}`,
    checkpoints: names.map((name) => ({
      name,
      judges: Object.fromEntries(judges.map((judge) => [
        judge,
        Object.fromEntries(
          METRICS.filter((m) => m !== "alignedLoss" || judge === "exact").map((metric) => [
            metric,
            rounded(metricInterval(
              [records],
              (r) => metricValue(r, name, judge, metric, domain),
              resamples,
              seed,
            )),
          ]),
        ),
      ])),
    })),
  };
}
