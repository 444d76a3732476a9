/**
 * `deno task bench [--backends wasm,cpu,webgpu] [--steps N]`: training
 * throughput of the organism's shapes per backend; writes
 * results/bench/bench.json and bench.md. Numbers are recorded, never
 * asserted.
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../src/core/atomic.ts";
import {
  type BackendChoice,
  type BackendInfo,
  initBackend,
  probeWebGpuAdapter,
} from "../src/core/backend.ts";
import { parseArgs } from "../src/core/cli.ts";
import { type BenchResult, benchStep, matmulPeak } from "../src/training/bench.ts";
import { versions } from "../src/pipeline/provenance.ts";
import { Tokenizer } from "../src/world/tokenizer.ts";

const usage = "usage: deno task bench [--backends wasm,cpu,webgpu] [--steps N] [--root DIR]";
try {
  const { flags } = parseArgs(Deno.args, {
    backends: "string",
    steps: "string",
    root: "string",
    help: "boolean",
  });
  if (flags.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const steps = Number(flags.steps ?? 10);
  if (!Number.isInteger(steps) || steps < 1) throw new TypeError(`Flag --steps expects a positive integer`);
  const wanted = String(flags.backends ?? "wasm,cpu,webgpu").split(",") as BackendChoice[];
  const vocab = Tokenizer.forWorld().size;
  const shapes = [
    { vocabSize: vocab, contextLength: 64, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256 },
    { vocabSize: vocab, contextLength: 64, dModel: 64, nLayers: 4, nHeads: 4, dMlp: 256 },
    { vocabSize: vocab, contextLength: 64, dModel: 128, nLayers: 4, nHeads: 4, dMlp: 512 },
  ];
  const results: BenchResult[] = [];
  const peaks: Record<string, number> = {};
  const adapters: Record<string, BackendInfo["adapter"]> = {};
  for (const choice of wanted) {
    if (choice === "webgpu" && !(await probeWebGpuAdapter())) {
      console.error("webgpu: skipped (no adapter)");
      continue;
    }
    const info = await initBackend(choice);
    adapters[info.name] = info.adapter;
    peaks[info.name] = await matmulPeak();
    console.error(`${info.name}: 512³ matmul ${peaks[info.name]} GFLOP/s`);
    for (const cfg of shapes) {
      for (const mode of ["forward", "train"] as const) {
        // The cpu backend is ~30× slower: fewer steps keep the bench short.
        const r = await benchStep(
          cfg,
          mode,
          32,
          64,
          info.name === "cpu" ? Math.max(1, Math.ceil(steps / 5)) : steps,
        );
        results.push(r);
        console.error(
          `${r.backend} ${r.shape} ${r.mode}: ${r.tokensPerSecond} tok/s, ${r.msPerStep} ms/step, ${r.gflops} GFLOP/s`,
        );
      }
    }
  }
  const root = String(flags.root ?? ".");
  const memory = Deno.memoryUsage();
  const report = {
    versions: versions(),
    batch: 32,
    seq: 64,
    matmulPeakGflops: peaks,
    adapters,
    peakRssMiB: Math.round(memory.rss / 2 ** 20),
    results: results.map((r) => ({
      ...r,
      shareOfPeak: Math.round((r.gflops / peaks[r.backend]) * 1000) / 1000,
    })),
  };
  await writeJsonAtomic(join(root, "results/bench/bench.json"), report);
  const table = [
    "| backend | shape | mode | tok/s | ms/step | GFLOP/s | share of matmul peak |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...report.results.map((r) =>
      `| ${r.backend} | ${r.shape} | ${r.mode} | ${r.tokensPerSecond} | ${r.msPerStep} | ${r.gflops} | ${r.shareOfPeak} |`
    ),
  ].join("\n");
  await writeFileAtomic(join(root, "results/bench/bench.md"), table + "\n");
  console.log(table);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exit(1);
}
