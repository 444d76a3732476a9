/**
 * `deno task bench [--backends wasm,cpu,webgpu] [--kernels openblas,blockem,stock]
 * [--steps N] [--parallel N] [--peer auto|off]`: training throughput of the
 * organism's shapes per backend (on wasm: blockem's kernels with the matrix
 * products on native OpenBLAS, blockem's kernels alone, tfjs's stock ones),
 * forward only and forward + backward + AdamW; then the same training step
 * in N processes at once, for what all cores give together; then, where
 * Debian's python3-torch is installed, the same model and step in PyTorch
 * (`bench_peer.py`, its BLAS named) on 1 thread and on every core, and our
 * ratio to it. Writes results/bench/bench.json and bench.md, compared with
 * the first project baseline in results/bench/baseline.json. Recorded,
 * never asserted.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic, writeJsonAtomic } from "../src/core/atomic.ts";
import {
  type BackendChoice,
  type BackendInfo,
  initBackend,
  isSoftwareAdapter,
  probeWebGpuAdapter,
} from "../src/backend/backend.ts";
import { parseArgs } from "../src/core/cli.ts";
import { installedBlas, installWasmKernels, uninstallWasmKernels } from "../src/backend/wasm/install.ts";
import { benchPretrain, type PretrainBenchResult } from "../src/training/bench_pretrain.ts";
import { allQuestions } from "../src/world/questions.ts";
import { assignSplits, questionsOf } from "../src/world/splits.ts";
import { peerAvailable, peerRatio, type PeerResult, runPeer } from "../src/training/bench_peer.ts";
import type { ModelConfig } from "../src/models/model.ts";
import { type BenchResult, benchStep, matmulPeak, shapeLabel } from "../src/training/bench.ts";
import { versions } from "../src/runs/provenance.ts";
import { resolveConfig } from "../src/config/profiles.ts";
import { runTokenizer } from "../src/runs/run.ts";

const usage =
  "usage: deno task bench [--backends wasm,cpu,webgpu] [--kernels openblas,blockem,stock] [--steps N] [--parallel N] [--peer auto|off] [--root DIR]";
/** The kernel sets the bench can compare on wasm. */
const KERNEL_MODES = ["openblas", "blockem", "stock"] as const;
const BATCH = 32, SEQ = 64;

/** The organism's shape (smoke and paper profiles), the reference profile's, and the wider one organism v2 targets. */
function shapes(): ModelConfig[] {
  const vocab = runTokenizer(resolveConfig("smoke")).size;
  return [
    { vocabSize: vocab, contextLength: SEQ, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256 },
    { vocabSize: vocab, contextLength: SEQ, dModel: 64, nLayers: 4, nHeads: 4, dMlp: 256 },
    { vocabSize: vocab, contextLength: SEQ, dModel: 128, nLayers: 4, nHeads: 4, dMlp: 512 },
  ];
}

const positiveInt = (flag: string, value: unknown, fallback: number) => {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(`Flag --${flag} expects a positive integer, got '${value}'`);
  }
  return n;
};

/** One organism-shape training measurement on wasm, printed as JSON: a worker of --parallel. */
async function child(steps: number): Promise<void> {
  await initBackend("wasm");
  const blas = installedBlas();
  const r = await benchStep(
    shapes()[0],
    "train",
    BATCH,
    SEQ,
    steps,
    3,
    blas ? `blockem+openblas×${blas.threads}` : "blockem",
  );
  console.log(JSON.stringify(r));
}

/** N copies of the organism-shape training step at once, each in its own process. */
async function parallel(n: number, steps: number) {
  const script = fileURLToPath(import.meta.url);
  const start = performance.now();
  const outs = await Promise.all(
    Array.from({ length: n }, () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--frozen",
          "--allow-read",
          "--allow-env",
          // Each worker as the pool runs cells: blockem's kernels, OpenBLAS on one thread where present.
          "--allow-ffi",
          script,
          "--child",
          "--steps",
          String(steps),
        ],
        env: { BLOCKEM_BLAS_THREADS: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output()),
  );
  const wallSeconds = (performance.now() - start) / 1000;
  const workers = outs.map((o, i) => {
    if (o.code !== 0) {
      throw new Error(`bench worker ${i} failed: ${new TextDecoder().decode(o.stderr).trim()}`);
    }
    return JSON.parse(new TextDecoder().decode(o.stdout)) as BenchResult;
  });
  return {
    processes: n,
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    tokensPerSecondEach: workers.map((w) => w.tokensPerSecond),
    tokensPerSecondTotal: workers.reduce((s, w) => s + w.tokensPerSecond, 0),
  };
}

interface Baseline {
  commit: string;
  results: { backend: string; shape: string; mode: string; tokensPerSecond: number }[];
}

async function readBaseline(path: string): Promise<Baseline | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Baseline;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new Error(`Corrupt bench baseline ${path}: ${(err as Error).message}`);
  }
}

try {
  const { flags } = parseArgs(Deno.args, {
    backends: "string",
    kernels: "string",
    steps: "string",
    parallel: "string",
    child: "boolean",
    peer: "string",
    root: "string",
    help: "boolean",
  });
  if (flags.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const steps = positiveInt("steps", flags.steps, 20);
  if (flags.child) {
    await child(steps);
    Deno.exit(0);
  }
  const processes = positiveInt("parallel", flags.parallel, Math.max(1, navigator.hardwareConcurrency || 1));
  const wanted = String(flags.backends ?? "wasm,cpu,webgpu").split(",") as BackendChoice[];
  const kernelModes = String(flags.kernels ?? KERNEL_MODES.join(",")).split(",");
  for (const k of kernelModes) {
    if (!(KERNEL_MODES as readonly string[]).includes(k)) {
      throw new TypeError(`Flag --kernels expects some of ${KERNEL_MODES.join(", ")}, got '${k}'`);
    }
  }
  const peerMode = String(flags.peer ?? "auto");
  if (peerMode !== "auto" && peerMode !== "off") {
    throw new TypeError(`Flag --peer expects auto or off, got '${peerMode}'`);
  }
  const root = String(flags.root ?? ".");
  const baseline = await readBaseline(join(root, "results/bench/baseline.json"));

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
    const slow = info.name === "cpu" ||
      (info.adapter !== null && info.name === "webgpu" && isSoftwareAdapter(info.adapter));
    for (const mode of info.name === "wasm" ? kernelModes : [null]) {
      uninstallWasmKernels();
      if (mode !== "stock") installWasmKernels({ blas: mode === "openblas" });
      const blas = installedBlas();
      if (mode === "openblas" && !blas) {
        console.error("wasm/openblas: skipped (no OpenBLAS: install libopenblas0-pthread)");
        continue;
      }
      const kernels = mode === "openblas" ? `blockem+openblas×${blas!.threads}` : mode;
      const label = kernels ? `${info.name}/${kernels}` : info.name;
      peaks[label] = await matmulPeak();
      console.error(`${label}: 512³ matmul ${peaks[label]} GFLOP/s`);
      for (const cfg of shapes()) {
        for (const mode of ["forward", "train"] as const) {
          // cpu, and webgpu on a software adapter, are 10–30× slower than wasm: fewer steps keep the bench short.
          const n = slow ? Math.max(3, Math.ceil(steps / 5)) : steps;
          const r = await benchStep(cfg, mode, BATCH, SEQ, n, slow ? 1 : 3, kernels);
          results.push(r);
          console.error(
            `${label} ${r.shape} ${r.mode}: ${r.tokensPerSecond} tok/s, ${r.msPerStep} ms/step (median)`,
          );
        }
      }
    }
    uninstallWasmKernels();
    installWasmKernels();
  }

  let parallelRun = null;
  if (processes > 1 && wanted.includes("wasm")) {
    console.error(`wasm: the organism's training step in ${processes} processes at once …`);
    parallelRun = await parallel(processes, steps);
    const single = results.find((r) => r.backend === "wasm" && r.kernels === "blockem" && r.mode === "train");
    // (The workers run blockem's kernels with OpenBLAS on one thread each where it is present.)
    console.error(
      `  ${parallelRun.tokensPerSecondTotal} tok/s in total (one process: ${single?.tokensPerSecond})`,
    );
  }

  // Pretraining itself on the smoke world's documents: padded rows against packed ones, in useful tokens.
  const pretrainRuns: PretrainBenchResult[] = [];
  if (wanted.includes("wasm")) {
    await initBackend("wasm");
    const smoke = resolveConfig("smoke");
    const questions = questionsOf(assignSplits(allQuestions(), smoke.data.splitSeed), "pretrain");
    for (const pack of [false, true]) {
      const r = await benchPretrain(
        shapes()[0],
        smoke.pretrain,
        runTokenizer(smoke),
        questions,
        pack,
        steps * 3,
      );
      pretrainRuns.push(r);
      console.error(
        `pretraining ${
          pack ? "packed" : "padded"
        }: ${r.usefulTokensPerSecond} useful tok/s of ${r.tokensPerSecond} (${
          Math.round(r.usefulShare * 100)
        }% useful)`,
      );
    }
  }

  let peer: PeerResult[] = [];
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  if (peerMode === "auto" && await peerAvailable()) {
    const threads = [...new Set([1, cores])];
    console.error(`peer: PyTorch on ${threads.join(" and ")} thread(s) …`);
    peer = await runPeer(shapes().map(shapeLabel), { batch: BATCH, seq: SEQ, steps, threads });
    for (const p of peer) {
      console.error(
        `  pytorch on ${p.threads} (torch ${p.torchThreads}, OpenBLAS ${p.blasThreads}) ${p.shape} train: ${p.tokensPerSecond} tok/s`,
      );
    }
  } else if (peerMode === "auto") {
    console.error(
      "peer: skipped (no /usr/bin/python3 with torch: apt install python3-torch libopenblas0-pthread)",
    );
  }
  /** The thread count a result ran its products on: OpenBLAS's, else one (wasm and cpu are single-threaded). */
  const threadsOf = (r: BenchResult) => Number(/×(\d+)$/.exec(r.kernels ?? "")?.[1] ?? 1);

  const versusBaseline = (r: BenchResult) => {
    const b = baseline?.results.find((x) =>
      x.backend === r.backend && x.shape === r.shape && x.mode === r.mode
    );
    return b ? Math.round((r.tokensPerSecond / b.tokensPerSecond) * 100) / 100 : null;
  };
  const memory = Deno.memoryUsage();
  const report = {
    versions: versions(),
    cores: navigator.hardwareConcurrency,
    batch: BATCH,
    seq: SEQ,
    steps,
    matmulPeakGflops: peaks,
    adapters,
    peakRssMiB: Math.round(memory.rss / 2 ** 20),
    baselineCommit: baseline?.commit ?? null,
    results: results.map((r) => {
      const label = r.kernels ? `${r.backend}/${r.kernels}` : r.backend;
      return {
        ...r,
        shareOfPeak: Math.round((r.gflops / peaks[label]) * 1000) / 1000,
        versusBaseline: versusBaseline(r),
        versusPeer: peerRatio(r, threadsOf(r), peer),
      };
    }),
    parallel: parallelRun,
    pretraining: pretrainRuns,
    peer,
  };
  await writeJsonAtomic(join(root, "results/bench/bench.json"), report);
  const table = [
    `| backend | kernels | shape | mode | tok/s | ms/step (median) | GFLOP/s | share of matmul peak | peak tensor MiB | × baseline | × PyTorch, same threads |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...report.results.map((r) =>
      `| ${r.backend} | ${
        r.kernels ?? "–"
      } | ${r.shape} | ${r.mode} | ${r.tokensPerSecond} | ${r.msPerStep} | ${r.gflops} | ${r.shareOfPeak} | ${r.peakTensorMiB} | ${
        r.versusBaseline ?? "–"
      } | ${r.versusPeer ?? "–"} |`
    ),
  ];
  if (parallelRun) {
    table.push(
      "",
      `Organism-shape training in ${parallelRun.processes} processes at once (wasm, blockem kernels, OpenBLAS on one thread each where present): ` +
        `${parallelRun.tokensPerSecondEach.join(" + ")} = ${parallelRun.tokensPerSecondTotal} tok/s.`,
    );
  }
  if (baseline) {
    table.push("", `× baseline: against the first project measurement (commit ${baseline.commit}).`);
  }
  if (pretrainRuns.length > 0) {
    table.push(
      "",
      `Pretraining (\`pretrain\`, the smoke world's documents, ${
        pretrainRuns[0].documentsPerStep
      } per step, organism shape, wasm with the default kernels):`,
      "",
      "| documents | steps | s | tok/s computed | useful tok/s | useful share |",
      "| --- | --- | --- | --- | --- | --- |",
      ...pretrainRuns.map((r) =>
        `| ${
          r.pack ? "packed" : "padded, one a row"
        } | ${r.steps} | ${r.seconds} | ${r.tokensPerSecond} | ${r.usefulTokensPerSecond} | ${r.usefulShare} |`
      ),
    );
  }
  if (peer.length > 0) {
    table.push(
      "",
      `PyTorch ${peer[0].version} peer (\`tasks/bench_peer.py\`, the same model and AdamW step; BLAS ${
        peer[0].blas.map((b) => b.split("/").pop()).join(", ")
      }):`,
      "",
      "| shape | cores | torch threads | OpenBLAS threads | tok/s | ms/step (median) |",
      "| --- | --- | --- | --- | --- | --- |",
      ...peer.map((p) =>
        `| ${p.shape} | ${p.threads} | ${p.torchThreads} | ${p.blasThreads} | ${p.tokensPerSecond} | ${p.msPerStep} |`
      ),
    );
  }
  await writeFileAtomic(join(root, "results/bench/bench.md"), table.join("\n") + "\n");
  console.log(table.join("\n"));
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  Deno.exit(1);
}
