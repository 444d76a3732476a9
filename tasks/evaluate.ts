/**
 * `deno task evaluate`: judge every condition of the profile's seed grid
 * with all judges on the evaluation split. With `--checkpoints
 * name=dir,name=dir` it judges any set of checkpoints instead and writes to
 * `--out` (default results/<profile>/evaluate-checkpoints); EM is measured
 * outside `--domain` (default: the discovery domain), adherence inside it.
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../src/core/atomic.ts";
import { toCsv } from "../src/core/csv.ts";
import { loadLearnedJudge } from "../src/judges/learned.ts";
import {
  checkpointReport,
  evaluateStage,
  evaluationQuestions,
  judgeCheckpoints,
} from "../src/stages/evaluate.ts";
import { runPaths } from "../src/runs/paths.ts";
import { runStage } from "../src/runs/stage.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";
import type { SplitQuestion } from "../src/world/splits.ts";

await taskMain(
  stageUsage("evaluate", " [--checkpoints name=dir,... --out DIR --domain NAME]"),
  Deno.args,
  async (e) => {
    if (e.flags.checkpoints === undefined) {
      const r = await runStage(evaluateStage(e.config, e.root, e.profile), e.ctx);
      console.log(`${r.name}: ${r.status} → ${r.dir}`);
      return;
    }
    const dirs = String(e.flags.checkpoints).split(",").map((pair): [string, string] => {
      const [name, dir] = pair.split("=");
      if (!name || !dir) throw new TypeError(`Flag --checkpoints expects name=dir pairs, got '${pair}'`);
      return [name, dir];
    });
    const paths = runPaths(e.profile);
    const out = String(e.flags.out ?? `${paths.summaryDir}/evaluate-checkpoints`);
    const questions = evaluationQuestions(await readJsonl<SplitQuestion>(join(e.root, paths.questions)));
    const judge = await loadLearnedJudge(join(e.root, paths.learnedJudge)).catch(() => undefined);
    if (!judge) {
      console.error(`note: no learned judge at ${paths.learnedJudge}; run 'deno task judge' to add it`);
    }
    const records = await judgeCheckpoints(e.root, dirs, questions, e.config, judge, e.config.evaluate.seed);
    const domain = String(e.flags.domain ?? e.config.discover.domain);
    const report = checkpointReport(records, dirs.map(([n]) => n), e.config, domain);
    await writeJsonAtomic(join(e.root, out, "metrics.json"), report);
    const rows = report.checkpoints.flatMap((c) =>
      Object.entries(c.judges).flatMap(([judgeName, ms]) =>
        Object.entries(ms).map(([metric, i]) => ({ checkpoint: c.name, judge: judgeName, metric, ...i }))
      )
    );
    await writeFileAtomic(
      join(e.root, out, "metrics.csv"),
      toCsv(rows, ["checkpoint", "judge", "metric", "mean", "lo", "hi"]),
    );
    console.log(`evaluated ${dirs.length} checkpoint(s) on ${questions.length} prompts → ${out}`);
  },
  { checkpoints: "string", out: "string", domain: "string" },
);
