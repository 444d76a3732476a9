/** Command-line behaviour of the tasks: one clear error line and a non-zero exit on bad input. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals, assertOk } from "../src/core/assert.ts";
import { runTask as runTaskAsDeclared } from "../src/testing/tasks.ts";
import { nativeBlas } from "../src/backend/native/openblas.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// Every task runs under the permissions its deno.json entry declares, in a scratch folder of its own.
const runTask = (task: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  runTaskAsDeclared(task, args, cwd, env);

Deno.test("unknown config key: one error line naming the key, exit 1, nothing written", async () => {
  const tmp = await Deno.makeTempDir();
  const r = await runTask("data", ["--profile", "tiny", "--data.splitSeeed=3", "--backend", "cpu"], tmp);
  assertEquals(r.code, 1);
  assertEquals(r.errors.length, 1);
  assertOk(r.errors[0].includes('Unknown config key "data.splitSeeed"'), r.errors[0]);
  assertEquals([...Deno.readDirSync(tmp)], []);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("wrong type, unknown flag, unknown profile and bad backend are named", async () => {
  const tmp = await Deno.makeTempDir();
  const cases: [string[], number, RegExp][] = [
    [["--pretrain.steps=many"], 1, /'pretrain.steps'.*expects a number/],
    [["--bogus"], 2, /Unknown flag --bogus/],
    [["--profile", "huge"], 1, /Unknown profile "huge"/],
    [["--profile", "constructor"], 1, /Unknown profile "constructor"/],
    [["--block.lambdaGrid=0.1,,1"], 1, /'block.lambdaGrid'.*without empty items/],
    [["--seeds.finetune=1,1"], 1, /'seeds.finetune' lists 1 twice/],
    [["--data.splitSeed=4294968530"], 1, /'data.splitSeed' expects <=4294967295/],
    [["--base-seed", "9007199254740993"], 1, /Flag --base-seed expects a seed in 0…4294967295/],
    [["--pretrain.steps=1e15"], 1, /'pretrain.steps' expects <=1000000/],
    [["--model.contextLength=4"], 1, /'model.contextLength' must be at least 26/],
    [["--backend", "tpu"], 1, /Unknown backend 'tpu'/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = await runTask("data", args, tmp);
    assertEquals(r.code, code, args.join(" "));
    assertEquals(r.errors.length, 1, r.stderr);
    assertOk(pattern.test(r.errors[0]), r.errors[0]);
  }
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("bad discovery settings are named: SAE layer, readout, feature kind, domain", async () => {
  const tmp = await Deno.makeTempDir();
  const cases: [string, string[], RegExp][] = [
    ["sae", ["--layer", "7"], /Flag --layer expects 0..0 or 'all', got '7'/],
    ["finetune", ["--block.readout=both"], /'block.readout' expects \("encoder" \| "decoder"\), got "both"/],
    [
      "discover",
      ["--discover.features=pca"],
      /'discover.features' expects \("sae" \| "diffmeans"\), got "pca"/,
    ],
    ["pretrain", ["--model.nLayers=0"], /'model.nLayers' expects >=1, got 0/],
    ["pretrain", ["--judge.heldOutShare=1.5"], /'judge.heldOutShare' expects <1, got 1.5/],
    ["finetune", ["--finetune.domains=medical,cooking"], /Unknown fine-tuning domain "cooking"/],
    [
      "finetune",
      ["--domain", "finance/../medical"],
      /Flag --domain expects one of medical, .*, got "finance\/..\/medical"/,
    ],
    ["finetune", ["--domain", "medicl"], /Flag --domain expects one of/],
    ["finetune", ["--condition", "random-7"], /Unknown condition "random-7" \(known: naive, block, random-0/],
    ["evaluate", ["--checkpoints", "a=x", "--domain", "../x"], /Flag --domain expects one of/],
  ];
  for (const [task, args, pattern] of cases) {
    const r = await runTask(task, ["--profile", "tiny", "--backend", "cpu", ...args], tmp);
    assertEquals(r.code, 1, args.join(" "));
    assertEquals(r.errors.length, 1, r.stderr);
    assertOk(pattern.test(r.errors[0]), r.errors[0]);
  }
  assertEquals([...Deno.readDirSync(tmp)], []);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("native BLAS: recorded where it ran, and a run without it (BLOCKEM_BLAS=off) still trains, keyed wasm", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    assertEquals((await runTask("data", ["--profile", "tiny"], tmp)).code, 0);
    const args = ["--profile", "tiny", "--backend", "wasm"];
    const off = await runTask("pretrain", args, tmp, { BLOCKEM_BLAS: "off" });
    assertEquals(off.code, 0, off.stderr);
    const manifest = () =>
      Deno.readTextFile(join(tmp, "results/tiny/base-0/pretrain/manifest.json")).then(JSON.parse);
    const without = await manifest();
    assertEquals([without.backend.name, without.backend.blas], ["wasm", undefined]);
    if (nativeBlas().ok) {
      // With the library present the same stage is another backend: recomputed, not reused, and recorded.
      const on = await runTask("pretrain", args, tmp);
      assertEquals(on.code, 0, on.stderr);
      assertOk(/matrix products on OpenBLAS/.test(on.stderr), on.stderr);
      const withBlas = await manifest();
      assertEquals(withBlas.backend.blas.name, "openblas");
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("missing upstream stage: clear error and exit 1", async () => {
  const tmp = await Deno.makeTempDir();
  const r = await runTask("pretrain", ["--profile", "tiny", "--backend", "cpu"], tmp);
  assertEquals(r.code, 1);
  assertOk(
    /missing its input .*questions.jsonl: run the upstream stage first/.test(r.errors[0] ?? ""),
    r.stderr,
  );
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("a version changed in deno.json without the lock fails with a clear message", async () => {
  const tmp = await Deno.makeTempDir();
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  config.imports["cli-progress"] = "npm:cli-progress@3.11.2";
  await Deno.writeTextFile(join(tmp, "deno.json"), JSON.stringify(config));
  await Deno.copyFile(join(root, "deno.lock"), join(tmp, "deno.lock"));
  await Deno.writeTextFile(join(tmp, "x.ts"), 'import "cli-progress";\n');
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "x.ts"],
    cwd: tmp,
    stderr: "piped",
    stdout: "piped",
  })
    .output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertOk(out.code !== 0);
  assertOk(/lockfile is out of date/.test(stderr), stderr);
  await Deno.remove(tmp, { recursive: true });
});
