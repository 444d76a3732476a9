/**
 * One task in its own Deno process, as the local pools start their workers
 * (`cell_pool.ts`, `stage_pool.ts`): the task's write limits, the run's root,
 * profile and backend, and native BLAS where this process has it, so that
 * what a worker writes never depends on where it ran.
 * @module
 */
import { join } from "node:path";
import type { Run } from "../runs/run.ts";
import type { StageContext } from "../runs/stage.ts";

/** Run `task` (a file path) with `args` after the run's common flags; stdout and stderr piped. */
export function runWorkerTask(
  task: string,
  run: Run,
  ctx: StageContext,
  args: readonly string[],
): Promise<Deno.CommandOutput> {
  const { root, profile } = run;
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-read",
      `--allow-write=${join(root, "data")},${join(root, "results")}`,
      "--allow-env",
      ...(Deno.permissions.querySync({ name: "ffi" }).state === "granted" ? ["--allow-ffi"] : []),
      task,
      "--root",
      root,
      "--profile",
      profile,
      "--backend",
      ctx.backend.name,
      ...args,
      ...(ctx.force ? ["--force"] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
}
