/**
 * `deno task audit [--profile smoke] [--no-rerun] [--seed N] [--rerun-stage NAME]`: checks that
 * the profile's splits are disjoint, every manifest records consistent seeds,
 * every recorded output is on disk as recorded and every recorded input is
 * what its producer wrote, the data regenerates to the recorded hashes, the
 * lock pins every import, and one stage (sampled by --seed, or the one named
 * by --rerun-stage, e.g. `evaluate`) re-runs to its recorded hashes. Exits 1
 * on any violation.
 */
import { audit, formatAudit } from "../src/pipeline/audit.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(stageUsage("audit", " [--no-rerun] [--seed N] [--rerun-stage NAME]"), Deno.args, async (e) => {
  const raw = e.flags.seed === undefined ? "0" : String(e.flags.seed);
  const seed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`Flag --seed expects a non-negative integer, got "${raw}"`);
  }
  const checks = await audit(e.run, e.ctx, {
    rerun: !e.flags["no-rerun"],
    seed,
    stage: e.flags["rerun-stage"] as string | undefined,
  });
  console.log(formatAudit(e.profile, checks));
  if (checks.some((c) => !c.ok)) Deno.exit(1);
}, { "no-rerun": "boolean", seed: "string", "rerun-stage": "string" });
