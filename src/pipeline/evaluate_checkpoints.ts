/**
 * `evaluate --checkpoints name=dir,…`: every judge on any list of
 * checkpoints, on the evaluation split, with intervals over prompts;
 * written to `out` as metrics.json and metrics.csv.
 * @module
 */
import { join, resolve } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { checkpointReport } from "../reports/evaluation.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import {
  disposeJudgeStates,
  evaluationQuestions,
  judgeCheckpoints,
  loadJudgeStates,
} from "../stages/judge_checkpoints.ts";
import type { SplitQuestion } from "../world/splits.ts";

/**
 * Judge `dirs` (name, checkpoint folder) with EM measured outside `domain`;
 * returns the prompt count. `out`, like each folder, is under the root unless absolute.
 */
export async function evaluateCheckpoints(
  run: Run,
  dirs: readonly [string, string][],
  out: string,
  domain: string,
  note: (line: string) => void,
): Promise<number> {
  const paths = runPaths(run.profile);
  const questions = evaluationQuestions(await readJsonl<SplitQuestion>(join(run.root, paths.questions)));
  const states = await loadJudgeStates(run, false, note);
  let records;
  try {
    records = await judgeCheckpoints(run, dirs, questions, states, run.config.evaluate.seed);
  } finally {
    disposeJudgeStates(states);
  }
  const report = checkpointReport(records, dirs.map(([n]) => n), run.config, domain);
  await writeJsonAtomic(resolve(run.root, out, "metrics.json"), report);
  const rows = report.checkpoints.flatMap((c) =>
    Object.entries(c.judges).flatMap(([judgeName, ms]) =>
      Object.entries(ms).map(([metric, i]) => ({ checkpoint: c.name, judge: judgeName, metric, ...i }))
    )
  );
  await writeFileAtomic(
    resolve(run.root, out, "metrics.csv"),
    toCsv(rows, ["checkpoint", "judge", "metric", "mean", "lo", "hi"]),
  );
  return questions.length;
}
