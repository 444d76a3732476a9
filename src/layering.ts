/**
 * The one place that declares the library's layers, lowest first. A module
 * may import from its own layer or any layer below it, never above:
 * data and dependencies flow one way. `layering_test.ts` enforces it.
 * @module
 */

/** Folders of `src/`, lowest layer first; `tasks/` and `mod.ts` sit above all. */
export const LAYERS = [
  "core",
  "world",
  "model",
  "optim",
  "judges",
  "features",
  "training",
  "analysis",
  "report",
  "pipeline",
] as const;

/** Layer index of a path relative to the project root, or null if unlayered. */
export function layerOf(path: string): number | null {
  const p = path.replaceAll("\\", "/");
  if (p.startsWith("tasks/") || p === "mod.ts") return LAYERS.length;
  const m = /^src\/([^/]+)\//.exec(p);
  if (!m) return p.startsWith("src/") ? 0 : null;
  const i = LAYERS.indexOf(m[1] as typeof LAYERS[number]);
  return i === -1 ? null : i;
}
