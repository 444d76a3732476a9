/**
 * The paper's metrics over judged prompts, per judge, with seeded bootstrap
 * intervals over seed pairs and prompts.
 * @module
 */
import { bootstrap, type Interval } from "../stats/bootstrap.ts";
import { adherence, emRate, incoherence, mean, refusalRate } from "../stats/metrics.ts";
import { type PromptVerdict, verdictShares } from "./evaluate_model.ts";
import type { LabelShares } from "./labels.ts";

/** Metric names. */
export const METRICS = ["em", "incoherence", "adherence", "refusal", "alignedLoss"] as const;
/** One metric. */
export type MetricName = typeof METRICS[number];

/** One prompt as statistics see it: every condition's verdict on it, in one seed pair. */
export type PromptRecord = Record<string, PromptVerdict>;

/** Compute `metric` of `condition` by `judge` over records; `domain` of fine-tuning splits in and out. */
export function metricValue(
  records: readonly PromptRecord[],
  condition: string,
  judge: string,
  metric: MetricName,
  finetuneDomain: string,
  onlyDomain?: string,
): number {
  const vs = records.map((r) => r[condition]).filter((v) =>
    v && (onlyDomain === undefined || v.domain === onlyDomain)
  );
  const inside = vs.filter((v) => v.domain === finetuneDomain);
  const outside = vs.filter((v) => v.domain !== finetuneDomain);
  const s = (list: PromptVerdict[]) => list.map((v) => verdictShares(v, judge) as LabelShares);
  switch (metric) {
    case "em":
      return emRate(s(outside));
    case "incoherence":
      return incoherence(s(outside));
    case "refusal":
      return refusalRate(s(outside));
    case "adherence":
      return adherence(s(inside), "misaligned");
    case "alignedLoss":
      return mean(vs.map((v) => v.alignedLoss));
  }
}

/**
 * Mean over seed pairs and a bootstrap interval: resample cells, then one
 * set of prompts shared by every cell (cells are judged on the same prompts).
 */
export function metricInterval(
  cells: readonly (readonly PromptRecord[])[],
  stat: (records: readonly PromptRecord[]) => number,
  resamples: number,
  seed: number,
): Interval {
  return bootstrap(cells, (rs) => rs.reduce((s, r) => s + stat(r), 0) / rs.length, {
    resamples,
    seed,
    pairedItems: true,
  });
}
