/**
 * `deno task evaluate`: judge every condition of the profile's seed grid
 * with all judges on the evaluation split. With `--checkpoints
 * name=dir,name=dir` it judges any set of checkpoints instead and writes to
 * `--out` (default results/<profile>/evaluate-checkpoints); EM is measured
 * outside `--domain` (default: the discovery domain), adherence inside it.
 */
import { evaluateCheckpoints } from "../src/pipeline/evaluate_checkpoints.ts";
import { domainFlag, stageUsage, taskMain } from "../src/pipeline/task_main.ts";
import { runPaths } from "../src/runs/paths.ts";
import { runStage } from "../src/runs/stage.ts";
import { evaluateStage } from "../src/stages/evaluate.ts";

await taskMain(
  stageUsage("evaluate", " [--checkpoints name=dir,... --out DIR --domain NAME]"),
  Deno.args,
  async (e) => {
    if (e.flags.checkpoints === undefined) {
      const r = await runStage(evaluateStage(e.run), e.ctx);
      console.log(`${r.name}: ${r.status} → ${r.dir}`);
      return;
    }
    const dirs = String(e.flags.checkpoints).split(",").map((pair): [string, string] => {
      const [name, dir] = pair.split("=");
      if (!name || !dir) throw new TypeError(`Flag --checkpoints expects name=dir pairs, got '${pair}'`);
      return [name, dir];
    });
    const out = String(e.flags.out ?? `${runPaths(e.profile).summaryDir}/evaluate-checkpoints`);
    const domain = domainFlag(e.flags, e.config.discover.domain);
    const prompts = await evaluateCheckpoints(e.run, dirs, out, domain, (line) => console.error(line));
    console.log(`evaluated ${dirs.length} checkpoint(s) on ${prompts} prompts → ${out}`);
  },
  { checkpoints: "string", out: "string", domain: "string" },
);
