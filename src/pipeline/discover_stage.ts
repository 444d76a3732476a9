/**
 * Stage `discover`: the misalignment direction at the block layer, by
 * difference of means between persona contexts on the selection split.
 * Separation statistics are recorded for every layer, for comparison.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { diffOfMeansDirection, personaContrastPrompts } from "../features/diff_of_means.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import { disposeParams } from "../model/transformer.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../world/tokenizer.ts";
import type { RunConfig } from "./profiles.ts";
import { type RunKey, runPaths } from "./paths.ts";
import type { StageSpec } from "./stage.ts";

/** The discovery stage. */
export function discoverStage(cfg: RunConfig, root: string, profile: string, key: RunKey): StageSpec {
  const paths = runPaths(profile, key);
  return {
    name: `base-${key.base}/discover`,
    dir: paths.discover,
    config: { discover: cfg.discover },
    seeds: { discoverSeed: cfg.discover.seed },
    inputs: [paths.questions, `${paths.pretrain}/model.json`, `${paths.pretrain}/weights.bin`],
    run: async () => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const selection = questionsOf(
        questions,
        "selection",
        cfg.discover.promptDomains === "general" ? "general" : undefined,
      );
      const { params, config: model, hash } = await loadCheckpoint(join(root, paths.pretrain));
      const tokenizer = Tokenizer.forWorld();
      const contrast = personaContrastPrompts(selection, cfg.discover.seed, cfg.discover.pairsPerQuestion);
      const perLayer = [];
      let chosen = null;
      for (let layer = 0; layer < model.nLayers; layer++) {
        const site = `blocks.${layer}.resid_post`;
        const found = await diffOfMeansDirection(params, model, tokenizer, contrast, site);
        perLayer.push({ layer, site, ...found.stats });
        if (layer === cfg.discover.layer) chosen = found.set;
      }
      disposeParams(params);
      await writeJsonAtomic(join(root, paths.directions), {
        method: "difference of means, <bot> persona contexts, last prompt token",
        ...chosen!,
        provenance: { baseWeightsSha256: hash, selectionQuestions: selection.length },
        perLayer,
      });
      return [paths.directions];
    },
  };
}
