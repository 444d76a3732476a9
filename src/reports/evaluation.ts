/**
 * The evaluation's numbers from judged prompts: per fine-tuning domain and
 * reported condition, every registered judge's metrics with bootstrap 95%
 * intervals over seed pairs and prompts, per evaluation domain, agreement
 * between sample judges, and the relative EM reduction; and the same for
 * any list of checkpoints.
 * @module
 */
import type { RunConfig } from "../config/schema.ts";
import { comparedJudges, JUDGES, kappaKey, sampleJudges } from "../judges/registry.ts";
import type { PromptVerdict } from "../judges/evaluate_model.ts";
import {
  metricInterval,
  type MetricName,
  METRICS,
  metricValue,
  type PromptRecord,
} from "../judges/statistics.ts";
import { cohensKappa } from "../stats/agreement.ts";
import type { Interval } from "../stats/bootstrap.ts";
import { DOMAINS } from "../world/spec.ts";

/** The judges whose verdicts `verdict` holds (a judge that did not run holds null). */
function judgesIn(verdict: PromptVerdict | undefined): string[] {
  return JUDGES.map((j) => j.name).filter((j) => verdict?.[j] !== null);
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
  judge: string,
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

/** An interval rounded for reporting. */
function rounded(i: Interval): Interval {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return { mean: r(i.mean), lo: r(i.lo), hi: r(i.hi) };
}

/** Every reported number of one fine-tuning domain, from the seed pairs' prompt records. */
export function summariseDomain(cells: readonly PromptRecord[][], cfg: RunConfig, domain: string) {
  const { resamples, seed } = cfg.evaluate;
  const ci = (stat: (r: readonly PromptRecord[]) => number) =>
    rounded(metricInterval(cells, stat, resamples, seed));
  const judges = judgesIn(cells[0]?.[0]?.base);
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
    const reference = sampleJudges()[0]?.name;
    const kappas = Object.fromEntries(
      comparedJudges().map((j) => [
        kappaKey(j.name),
        judges.includes(j.name) && labels.length > 0
          ? cohensKappa(labels.map((l) => l[reference]!), labels.map((l) => l[j.name]!))
          : null,
      ]),
    );
    return { name, judges: byJudge, byDomain, ...kappas, samples: labels.length };
  });
  const reduction = (c: string, judge: string) =>
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

/** Per-checkpoint metrics of every judge, with intervals over prompts (one seed pair). */
export function checkpointReport(
  records: PromptRecord[],
  names: readonly string[],
  cfg: RunConfig,
  domain: string,
) {
  const { resamples, seed } = cfg.evaluate;
  const judges = judgesIn(records[0]?.[names[0]]);
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
