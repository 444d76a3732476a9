/**
 * `deno task sae [--layer L|all]`: train the TopK SAE on the base model's
 * residual stream after block L (default: the block layer), or after every
 * layer (for the rerouting analysis).
 */
import { saeStage } from "../src/stages/sae.ts";
import { runStage } from "../src/runs/stage.ts";
import { stageUsage, taskMain } from "../src/pipeline/task_main.ts";

await taskMain(
  stageUsage("sae", " [--layer L|all]"),
  Deno.args,
  async (e) => {
    const raw = String(e.flags.layer ?? e.config.discover.layer);
    const layers = raw === "all"
      ? Array.from({ length: e.config.model.nLayers }, (_, i) => i)
      : [Number(raw)];
    if (layers.some((l) => !Number.isInteger(l) || l < 0 || l >= e.config.model.nLayers)) {
      throw new RangeError(`Flag --layer expects 0..${e.config.model.nLayers - 1} or 'all', got '${raw}'`);
    }
    for (const layer of layers) {
      const r = await runStage(saeStage(e.run, e.key, layer), e.ctx);
      console.log(`${r.name}: ${r.status} → ${r.dir}`);
    }
  },
  { layer: "string" },
);
