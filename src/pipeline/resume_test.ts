import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { sha256File } from "../core/hash.ts";
import { runPaths } from "../runs/paths.ts";
import { taskCommand } from "../testing/tasks.ts";

// The tasks run under their declared permissions, each in its own folder (writes go to data/ and results/ there).
const task = (root: string, name: string, extra: string[] = []) =>
  taskCommand(name, ["--profile", "tiny", ...extra], root);
const PRETRAIN = ["--pretrain.steps=400", "--checkpoints.every=25"];

Deno.test("a pretraining stage killed with SIGKILL resumes from its snapshot to byte-identical outputs", async () => {
  const [killed, whole] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    for (const root of [killed, whole]) assertOk((await (await task(root, "data")).output()).success);
    const uninterrupted = await (await task(whole, "pretrain", PRETRAIN)).output();
    assertOk(uninterrupted.success, new TextDecoder().decode(uninterrupted.stderr));

    const dir = runPaths("tiny", { base: 0, finetune: 0 }).pretrain;
    const snapshot = join(killed, dir, ".resume", "snapshot.json");
    const child = (await task(killed, "pretrain", PRETRAIN)).spawn();
    // Kill as soon as a snapshot past the first one exists: mid-run, with no manifest written.
    let step = 0;
    for (let i = 0; i < 2000 && step < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      step = await Deno.readTextFile(snapshot).then((t) => JSON.parse(t).step).catch(() => 0);
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assertEquals(status.signal, "SIGKILL", "the run finished before it could be killed");
    await assertMissing(join(killed, dir, "manifest.json"));

    const resumed = await (await task(killed, "pretrain", PRETRAIN)).output();
    const log = new TextDecoder().decode(resumed.stderr);
    assertOk(resumed.success, log);
    assertOk(/resuming from the snapshot at step \d+/.test(log), log);
    for (const f of ["weights.bin", "model.json", "loss.csv"]) {
      assertEquals(await sha256File(join(killed, dir, f)), await sha256File(join(whole, dir, f)), f);
    }
    await assertMissing(join(killed, dir, ".resume"));
  } finally {
    await Deno.remove(killed, { recursive: true });
    await Deno.remove(whole, { recursive: true });
  }
});

async function assertMissing(path: string) {
  const exists = await Deno.stat(path).then(() => true).catch(() => false);
  assertOk(!exists, `${path} should not exist`);
}
