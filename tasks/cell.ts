/**
 * `deno task cell --id <id> [--plan FILE]`: run exactly one planned cell
 * (the entry point of the local worker pool and of cluster job arrays). The
 * cell's config comes from the plan, so the cell hashes to the same id
 * wherever it runs; a finished cell is reused.
 */
import { openRun } from "../src/runs/run.ts";
import { cellStage } from "../src/stages/cell.ts";
import { planCell } from "../src/pipeline/plan.ts";
import { runStage } from "../src/runs/stage.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("cell", " --id ID [--plan FILE]"), Deno.args, async (e) => {
  const id = String(e.flags.id ?? "");
  if (!/^[0-9a-f]{16}$/.test(id)) {
    throw new TypeError(`Flag --id expects a 16-hex-digit cell id, got '${id}'`);
  }
  const file = e.flags.plan === undefined ? undefined : String(e.flags.plan);
  const { plan, cell } = await planCell(e.root, e.profile, id, file);
  // The plan's config, not this command's: the cell hashes to its id wherever it runs.
  const r = await runStage(cellStage(openRun(e.profile, plan.config, e.root), cell), e.ctx);
  console.log(`${r.name}: ${r.status} → ${r.dir}`);
}, { id: "string", plan: "string" });
