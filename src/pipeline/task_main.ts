/**
 * Shared command-line front of every task: flags, config resolution,
 * backend start-up, and one clear error line with a non-zero exit on
 * failure.
 * @module
 */
import { join } from "node:path";
import { type BackendChoice, type BackendInfo, initBackend } from "../backend/backend.ts";
import { parseArgs } from "../core/cli.ts";
import { defaultWorkers } from "./cell_pool.ts";
import type { RunKey } from "../runs/paths.ts";
import { PROFILE_NAMES } from "../config/names.ts";
import { shown } from "../core/config.ts";
import { MAX_SEED } from "../core/schema.ts";
import { FINETUNE_DOMAINS } from "../world/spec.ts";
import { resolveConfig } from "../config/profiles.ts";
import type { RunConfig } from "../config/schema.ts";
import { openRun, type Run } from "../runs/run.ts";
import { runStage, type StageContext, type StageResult, type StageSpec } from "../runs/stage.ts";

/** What a task body receives. */
export interface TaskEnv {
  profile: string;
  config: RunConfig;
  backend: BackendInfo;
  root: string;
  force: boolean;
  flags: Record<string, string | boolean>;
  ctx: StageContext;
  /** The seed pair a single-stage task works on (--base-seed, --finetune-seed). */
  key: RunKey;
  /** The run: profile, config, root and the tokenizer. */
  run: Run;
}

const COMMON_FLAGS = {
  profile: "string",
  backend: "string",
  root: "string",
  force: "boolean",
  help: "boolean",
  "base-seed": "string",
  "finetune-seed": "string",
  workers: "string",
} as const;

function seedFlag(flags: Record<string, string | boolean>, name: string, fallback: number): number {
  if (flags[name] === undefined) return fallback;
  const n = /^\d+$/.test(String(flags[name])) ? Number(flags[name]) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEED) {
    throw new TypeError(`Flag --${name} expects a seed in 0…${MAX_SEED}, got ${shown(flags[name])}`);
  }
  return n;
}

/** A flag naming a fine-tuning domain (a known one: the name becomes part of paths). */
export function domainFlag(flags: Record<string, string | boolean>, fallback: string): string {
  const d = String(flags.domain ?? fallback);
  if (!FINETUNE_DOMAINS.includes(d)) {
    throw new RangeError(`Flag --domain expects one of ${FINETUNE_DOMAINS.join(", ")}, got ${shown(d)}`);
  }
  return d;
}

function workersFlag(flags: Record<string, string | boolean>): number {
  if (flags.workers === undefined) return defaultWorkers();
  const n = Number(flags.workers);
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(`Flag --workers expects a positive integer, got ${shown(flags.workers)}`);
  }
  return n;
}

/**
 * Parse argv, resolve the profile config, start the backend, run `body`.
 * Errors print as one line `error: …` and exit with code 1 (2 for usage).
 */
export async function taskMain(
  usage: string,
  argv: readonly string[],
  body: (env: TaskEnv) => Promise<void>,
  extraFlags: Record<string, "string" | "boolean"> = {},
): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs(argv, { ...COMMON_FLAGS, ...extraFlags });
    if (parsed.positionals.length > 0) throw new TypeError(`Unexpected argument '${parsed.positionals[0]}'`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    console.error(usage);
    Deno.exit(2);
  }
  if (parsed.flags.help) {
    console.log(usage);
    return;
  }
  try {
    const profile = String(parsed.flags.profile ?? "smoke");
    const config = resolveConfig(profile, parsed.overrides);
    const backend = await initBackend(String(parsed.flags.backend ?? "auto") as BackendChoice);
    const root = String(parsed.flags.root ?? ".");
    const force = Boolean(parsed.flags.force);
    const log = (line: string) => console.error(line);
    console.error(
      `backend: ${backend.name}${
        backend.adapter ? ` (adapter: ${backend.adapter.description || backend.adapter.vendor})` : ""
      }${backend.blas ? `; matrix products on ${backend.blas.config}, ${backend.blas.threads} threads` : ""}`,
    );
    await body({
      profile,
      config,
      backend,
      root,
      force,
      flags: parsed.flags,
      ctx: { root, backend, force, log, workers: workersFlag(parsed.flags) },
      key: {
        base: seedFlag(parsed.flags, "base-seed", config.seeds.base[0]),
        finetune: seedFlag(parsed.flags, "finetune-seed", config.seeds.finetune[0]),
      },
      run: openRun(profile, config, root),
    });
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    if (Deno.env.get("BLOCKEM_DEBUG") === "1") console.error(err);
    Deno.exit(1);
  }
}

/** Run one stage as a task. */
export function stageTask(
  usage: string,
  makeStage: (env: TaskEnv) => StageSpec,
  extraFlags: Record<string, "string" | "boolean"> = {},
): Promise<void> {
  return taskMain(usage, Deno.args, async (env) => {
    const r: StageResult = await runStage(makeStage(env), env.ctx);
    console.log(`${r.name}: ${r.status} → ${r.dir}`);
  }, extraFlags);
}

/** Usage text shared by stage tasks. */
export function stageUsage(task: string, extra = ""): string {
  return `usage: deno task ${task} [--profile ${
    PROFILE_NAMES.join("|")
  }] [--backend auto|webgpu|wasm|cpu] [--force] [--root DIR] [--base-seed N] [--finetune-seed N] [--workers N] [--section.key=value ...]${extra}`;
}

/** Print a grid's report, then what ran, what was reused, the wall time and where the report is. */
export async function printReport(
  root: string,
  run: { results: readonly StageResult[]; report: string },
  start: number,
): Promise<void> {
  console.log(await Deno.readTextFile(join(root, run.report)));
  const ran = run.results.filter((r) => r.status === "ran").length;
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(
    `\nran ${ran} stage(s), reused ${run.results.length - ran} · ${seconds}s · report: ${run.report}`,
  );
}
