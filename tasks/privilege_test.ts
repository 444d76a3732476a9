/** Least privilege and locked dependencies: what the tasks may touch, and what a tampered lock does. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals, assertOk } from "../src/core/assert.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
const tasks: Record<string, { command: string }> = config.tasks;
/** The permission flags of a deno.json task's `deno run` command. */
const flagsOf = (name: string) =>
  tasks[name].command.split(/\s+/).filter((w) => w.startsWith("--allow") || w === "-A");
const runTasks = Object.keys(tasks).filter((t) => tasks[t].command.startsWith("deno run"));

Deno.test("every task declares its permissions: no network, writes under data/ and results/ only", () => {
  assertOk(runTasks.length >= 15, `${runTasks.length} tasks`);
  for (const t of runTasks) {
    const flags = flagsOf(t);
    assertOk(
      !flags.some((f) => f === "-A" || f.startsWith("--allow-all") || f.startsWith("--allow-net")),
      `${t}: ${flags}`,
    );
    const write = flags.filter((f) => f.startsWith("--allow-write"));
    assertEquals(write.length, 1, t);
    assertOk(["--allow-write=data,results", "--allow-write=results"].includes(write[0]), `${t}: ${write[0]}`);
    assertOk(tasks[t].command.includes("--frozen"), `${t} must run with the frozen lock`);
    // Only the tasks that run cells (or bench workers) on worker processes may start processes.
    if (flags.some((f) => f.startsWith("--allow-run"))) {
      assertOk(["experiment", "reroute", "reproduce", "bench"].includes(t), t);
    }
  }
});

/** Run `script` under the exact permissions of the `reproduce` task. */
async function underReproducePermissions(script: string, args: string[] = []) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", ...flagsOf("reproduce"), script, ...args],
    cwd: root,
    env: { BLOCKEM_QUIET: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("under reproduce's permissions a task can neither write outside data/ and results/ nor reach the network", async () => {
  const elsewhere = await Deno.makeTempDir();
  try {
    // A real task pointed at another root: refused before anything is written.
    const data = await underReproducePermissions(join(root, "tasks", "data.ts"), [
      "--profile",
      "tiny",
      "--root",
      elsewhere,
    ]);
    assertEquals(data.code, 1, data.stderr);
    assertOk(/^error: Requires write access to .*--allow-write/m.test(data.stderr), data.stderr);
    assertEquals([...Deno.readDirSync(elsewhere)], []);
    // The same permissions refuse any network access.
    const probe = join(elsewhere, "probe.ts");
    await Deno.writeTextFile(probe, `await fetch("http://127.0.0.1:8080/");\n`);
    const net = await underReproducePermissions(probe);
    assertOk(net.code !== 0 && /Requires net access/.test(net.stderr), net.stderr);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("a tampered lock fails loudly: a package whose integrity differs from the lock is refused", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.copyFile(join(root, "deno.json"), join(tmp, "deno.json"));
    const lock = JSON.parse(await Deno.readTextFile(join(root, "deno.lock")));
    const pkg = Object.keys(lock.npm).find((k) => k.startsWith("csv-parse@"))!;
    const integrity: string = lock.npm[pkg].integrity;
    lock.npm[pkg].integrity = integrity.slice(0, -6) + (integrity.endsWith("AAAAA=") ? "BBBBB=" : "AAAAA=");
    await Deno.writeTextFile(join(tmp, "deno.lock"), JSON.stringify(lock, null, 2));
    await Deno.writeTextFile(join(tmp, "x.ts"), 'import "csv-parse/sync";\n');
    // A fresh cache, so the package is fetched and checked against the tampered lock.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--frozen", "x.ts"],
      cwd: tmp,
      env: { DENO_DIR: join(tmp, ".deno") },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertOk(out.code !== 0, "the tampered lock was accepted");
    assertOk(
      /Failed caching npm package 'csv-parse@/.test(stderr) && /Expected: .*\n\s*Actual: /.test(stderr),
      stderr,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
