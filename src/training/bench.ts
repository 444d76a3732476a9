/**
 * Throughput of the organism's training step: tokens per second and step
 * time, forward only and forward + backward + AdamW, per backend and shape,
 * with the achieved GFLOP/s. Measured, never asserted.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fusedKernelsActive } from "../backend/fused.ts";
import { Rng } from "../core/rng.ts";
import { disposeParams, forward, initParams, type ModelConfig } from "../models/model.ts";
import { maskedNextTokenLoss } from "../models/loss.ts";
import { trainLoop } from "../optim/loop.ts";

/** One measured configuration. */
export interface BenchResult {
  backend: string;
  /** On wasm: "blockem" or "stock" kernels (see backend/wasm/install.ts); null elsewhere. */
  kernels: string | null;
  shape: string;
  mode: "forward" | "train";
  batch: number;
  seq: number;
  steps: number;
  /** Median over the timed steps: robust to a GC pause or a noisy neighbour. */
  msPerStep: number;
  msMin: number;
  msMax: number;
  tokensPerSecond: number;
  gflops: number;
  /** Peak bytes of live tensors during one step (tf.profile). */
  peakTensorMiB: number;
  numTensorsGrowth: number;
}

/**
 * Approximate FLOPs of one forward pass (matmuls only): 2·tokens·(weights in
 * matmuls) + attention's two products. The embedding counts only where it is
 * a one-hot matmul (`embeddingMatmul`); with blockem's wasm kernels it is a
 * gather, which does no arithmetic.
 */
export function forwardFlops(cfg: ModelConfig, batch: number, seq: number, embeddingMatmul: boolean): number {
  const d = cfg.dModel, tokens = batch * seq;
  const perLayer = 2 * tokens * (d * 3 * d + d * d + 2 * d * cfg.dMlp) + 2 * 2 * batch * seq * seq * d;
  return cfg.nLayers * perLayer + 2 * tokens * d * cfg.vocabSize * (embeddingMatmul ? 2 : 1);
}

/** Time `steps` steps after `warmup` untimed ones; the step time reported is the median. */
export async function benchStep(
  cfg: ModelConfig,
  mode: "forward" | "train",
  batch: number,
  seq: number,
  steps: number,
  warmup = 3,
  kernels: string | null = null,
): Promise<BenchResult> {
  const params = initParams(cfg, 1);
  const rng = new Rng(1);
  const ids = Int32Array.from({ length: batch * seq }, () => rng.int(cfg.vocabSize));
  const tokens = tf.tensor2d(ids, [batch, seq], "int32");
  const mask = tf.ones([batch, seq]) as tf.Tensor2D;
  const loss = () => maskedNextTokenLoss(forward(params, cfg, tokens).logits!, tokens, mask);
  // n steps, reporting each one's wall time. Training runs the project's own
  // loop (AdamW, loss read-back), so the bench measures what pretraining runs.
  const run = async (n: number, onTime: (ms: number) => void = () => {}) => {
    let last = performance.now();
    const lap = () => {
      const now = performance.now();
      onTime(now - last);
      last = now;
    };
    if (mode === "train") {
      await trainLoop({
        params,
        steps: n,
        learningRate: () => 1e-4,
        nextBatch: () => null,
        loss: () => ({ total: loss(), parts: {} }),
        onStep: lap,
      });
      return;
    }
    for (let i = 0; i < n; i++) {
      const value = tf.tidy(loss);
      await value.data(); // wait for the backend to finish the step
      value.dispose();
      lap();
    }
  };
  await run(warmup);
  const before = tf.memory().numTensors;
  const times: number[] = [];
  await run(steps, (ms) => times.push(ms));
  const growth = tf.memory().numTensors - before;
  const profile = await tf.profile(() => run(1));
  disposeParams(params);
  tf.dispose([tokens, mask]);
  times.sort((a, b) => a - b);
  const ms = times.length % 2
    ? times[(times.length - 1) / 2]
    : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  // The organism embeds by gather exactly where the fused kernels are active (`models/ops.ts`).
  const flops = forwardFlops(cfg, batch, seq, !fusedKernelsActive()) * (mode === "train" ? 3 : 1);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return {
    backend: tf.getBackend(),
    kernels,
    shape: shapeLabel(cfg),
    mode,
    batch,
    seq,
    steps,
    msPerStep: round2(ms),
    msMin: round2(times[0]),
    msMax: round2(times[times.length - 1]),
    tokensPerSecond: Math.round((batch * seq) / (ms / 1000)),
    gflops: round2(flops / (ms / 1000) / 1e9),
    peakTensorMiB: round2(profile.peakBytes / 2 ** 20),
    numTensorsGrowth: growth,
  };
}

/** A model shape as the bench, its pretraining measurement and its PyTorch peer label it. */
export function shapeLabel(c: ModelConfig): string {
  return `d${c.dModel}/L${c.nLayers}/h${c.nHeads}/mlp${c.dMlp}/V${c.vocabSize}`;
}

/**
 * Achieved GFLOP/s of a large plain matmul: the machine's practical peak on
 * this backend. The fastest of `reps` timed products, since the peak is what
 * the backend can do; a mean let a neighbour's burst (another bench mode's
 * OpenBLAS threads winding down) read as a lower peak than the training
 * step itself reached.
 */
export async function matmulPeak(n = 512, reps = 10): Promise<number> {
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1), b = tf.randomNormal([n, n], 0, 1, "float32", 2);
  const warm = tf.matMul(a, b);
  await warm.data();
  warm.dispose();
  let fastest = Infinity;
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    fastest = Math.min(fastest, (performance.now() - start) / 1000);
    c.dispose();
  }
  tf.dispose([a, b]);
  return Math.round((2 * n ** 3) / fastest / 1e7) / 100;
}
