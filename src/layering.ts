/**
 * The one place that declares the library's layers, lowest first. A module
 * may import from its own layer or any layer below it, never above:
 * data and dependencies flow one way. `layering_test.ts` enforces it.
 * @module
 */

/** Folders of `src/`, lowest layer first; `tasks/` and `mod.ts` sit above all. */
export const LAYERS = [
  // Pure utilities: seeded randomness, hashing, atomic writes, CSV, flags, validation, progress.
  "core",
  // tfjs backends, and blockem's wasm kernels (one file per kernel) with the names models use.
  "backend",
  // The synthetic world: domains, questions, splits, documents.
  "world",
  // The tokenizer interface and the world's tokenizer.
  "tokenizers",
  // The model interface, its registry of architectures (the organism's transformer), interventions, checkpoints.
  "models",
  // The training loop, AdamW, schedules, snapshots.
  "optim",
  // Bootstrap, agreement, the paper's metrics, acceptance checks, the strength-selection rule.
  "stats",
  // The judges (a registry): exact, grammar, learned; evaluation of one model.
  "judges",
  // Sparse autoencoders and the activations they train on.
  "sae",
  // Feature discovery: top-Δ, induce/repair, selection, feature maps, difference of means.
  "features",
  // Pretraining and fine-tuning with the penalty and the baselines' terms.
  "training",
  // Probes, subspaces, and the rerouting measurements and verdicts.
  "analysis",
  // The run config: its schema, profiles and the names it refers to.
  "config",
  // What runs share: the run context, paths, cells, the stage engine and its graph, provenance.
  "runs",
  // Test harnesses (a local Slurm, cell output hashes).
  "testing",
  // Fine-tuning methods (a registry): naive, BLOCK, ablations, baselines, fixes.
  "methods",
  // Report builders and renderers: tables, figures, the page, summaries.
  "reports",
  // One file per pipeline stage, and the catalog of a profile's stages.
  "stages",
  // Experiment grids (a registry): cells, own stages, report section.
  "grids",
  // What tasks call: reproduce, experiments, plans, the cell pool, audit, the report page.
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
