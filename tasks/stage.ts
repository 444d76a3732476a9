/**
 * `deno task stage --name NAME --run-file FILE`: run exactly one stage of the
 * stage catalog under the profile and config in FILE (the entry point of the
 * local pool's stage workers, `src/pipeline/stage_pool.ts`); a finished
 * stage is reused.
 */
import { join } from "node:path";
import { readJson } from "../src/core/atomic.ts";
import { validate } from "../src/core/schema.ts";
import { RUN_CONFIG_SCHEMA } from "../src/config/schema.ts";
import type { StageRunFile } from "../src/pipeline/stage_pool.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";
import { openRun } from "../src/runs/run.ts";
import { runStage } from "../src/runs/stage.ts";
import { catalog } from "../src/stages/catalog.ts";

await taskMain(stageUsage("stage", " --name NAME --run-file FILE"), Deno.args, async (e) => {
  const name = String(e.flags.name ?? "");
  const file = String(e.flags["run-file"] ?? "");
  if (!name || !file) throw new TypeError("Flags --name and --run-file are required");
  const body = await readJson<StageRunFile>(join(e.root, file));
  if (body.profile !== e.profile) {
    throw new Error(`${file} is for profile '${body.profile}', not '${e.profile}'`);
  }
  validate(RUN_CONFIG_SCHEMA, body.config, `Config in ${file}`);
  // The file's config, not this command's: the stage is the one the pool was asked to run.
  const run = openRun(e.profile, body.config, e.root);
  const spec = catalog(run, e.backend).find((s) => s.name === name);
  if (!spec) throw new Error(`No stage '${name}' in the catalog of profile '${e.profile}'`);
  const r = await runStage(spec, e.ctx);
  console.log(`${r.name}: ${r.status} → ${r.dir}`);
}, { name: "string", "run-file": "string" });
