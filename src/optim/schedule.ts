/**
 * Learning-rate schedule: linear warmup, then cosine decay to a floor.
 * @module
 */

/** Learning rate at `step` (0-based) of `total`. */
export function cosineLr(
  step: number,
  total: number,
  maxLr: number,
  warmup: number,
  minRatio = 0.1,
): number {
  if (step < warmup) return (maxLr * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  const minLr = maxLr * minRatio;
  return minLr + 0.5 * (maxLr - minLr) * (1 + Math.cos(Math.PI * progress));
}
