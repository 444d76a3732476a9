/**
 * A linear probe: logistic regression on standardised activations, fitted
 * by full-batch gradient descent with a small L2 penalty. Small and exact
 * enough for the organism's few hundred prompts, and deterministic.
 * @module
 */

/** A fitted probe: p(label 1 | x) = σ(w · (x − mean) / std + b). */
export interface Probe {
  mean: number[];
  std: number[];
  w: number[];
  b: number;
}

/** Fitting settings. */
export interface ProbeOptions {
  steps?: number;
  lr?: number;
  l2?: number;
}

/** Fit a probe separating `negatives` (label 0) from `positives` (label 1). */
export function fitProbe(
  negatives: readonly (readonly number[])[],
  positives: readonly (readonly number[])[],
  { steps = 500, lr = 0.5, l2 = 1e-3 }: ProbeOptions = {},
): Probe {
  if (negatives.length === 0 || positives.length === 0) throw new RangeError("A probe needs both classes");
  const xs = [...negatives, ...positives];
  const ys = xs.map((_, i) => (i < negatives.length ? 0 : 1));
  const d = xs[0].length;
  const mean = Array.from({ length: d }, (_, j) => xs.reduce((s, x) => s + x[j], 0) / xs.length);
  const std = Array.from({ length: d }, (_, j) => {
    const v = xs.reduce((s, x) => s + (x[j] - mean[j]) ** 2, 0) / xs.length;
    return Math.sqrt(v) || 1;
  });
  const z = xs.map((x) => x.map((v, j) => (v - mean[j]) / std[j]));
  // Classes weighted equally, whatever their counts.
  const weight = ys.map((y) => 0.5 / (y === 1 ? positives.length : negatives.length));
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let step = 0; step < steps; step++) {
    const gw = w.map((wj) => l2 * wj);
    let gb = 0;
    z.forEach((x, i) => {
      const err = (sigmoid(dot(w, x) + b) - ys[i]) * weight[i];
      for (let j = 0; j < d; j++) gw[j] += err * x[j];
      gb += err;
    });
    for (let j = 0; j < d; j++) w[j] -= lr * gw[j];
    b -= lr * gb;
  }
  return { mean, std, w, b };
}

/** p(label 1) for each row. */
export function probePredict(probe: Probe, xs: readonly (readonly number[])[]): number[] {
  return xs.map((x) =>
    sigmoid(probe.w.reduce((s, wj, j) => s + wj * (x[j] - probe.mean[j]) / probe.std[j], probe.b))
  );
}

/** Share of rows the probe assigns to label 1. */
export function positiveRate(probe: Probe, xs: readonly (readonly number[])[]): number {
  return probePredict(probe, xs).filter((p) => p > 0.5).length / xs.length;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
