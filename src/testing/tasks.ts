/**
 * Running a task in a test as `deno task` would: the permission flags its
 * `deno.json` entry declares (not blanket ones), the project's config and
 * lock, in a working folder of the test's own (so the task's relative
 * `--allow-write=data,results` is that folder's).
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (where deno.json is). */
export const PROJECT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** `deno task <name>`'s command: its permission flags and its script. */
export async function declaredTask(name: string): Promise<{ flags: string[]; script: string }> {
  const config = JSON.parse(await Deno.readTextFile(join(PROJECT, "deno.json")));
  const command: string | undefined = config.tasks?.[name]?.command;
  if (!command?.startsWith("deno run")) throw new Error(`deno.json has no 'deno run' task '${name}'`);
  const words = command.split(/\s+/);
  return {
    flags: words.filter((w) => w.startsWith("--allow") || w === "--frozen"),
    script: join(PROJECT, words.find((w) => w.endsWith(".ts"))!),
  };
}

/** A command for task `name` with `args`, run in `cwd` under the task's declared permissions. */
export async function taskCommand(
  name: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Deno.Command> {
  const { flags, script } = await declaredTask(name);
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", join(PROJECT, "deno.json"), ...flags, script, ...args],
    cwd,
    env: { BLOCKEM_QUIET: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

/** Run task `name` in `cwd`; its exit code, stderr and the stderr lines that start with `error:`. */
export async function runTask(
  name: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const out = await (await taskCommand(name, args, cwd, env)).output();
  const stderr = new TextDecoder().decode(out.stderr);
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr,
    errors: stderr.split("\n").filter((l) => l.startsWith("error:")),
  };
}
