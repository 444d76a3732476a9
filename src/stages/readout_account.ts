/**
 * Stage `readouts`: for one base model, how much of the EM shift at the
 * block site (the discovery model's mean activation minus the base's, on
 * selection-split discovery prompts) lies inside the selected latents'
 * decoder span and their encoder span, and inside the random controls'
 * (`analysis/readouts.ts`). The main grid runs it beside its cells when
 * `block.compareReadouts` is set, so its report says why one readout blocks
 * and the other may not.
 * @module
 */
import { dirname, join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { readoutAccount } from "../analysis/readouts.ts";
import { lastTokenActivations } from "../features/diff_of_means.ts";
import { discoveryQuestions } from "../features/discovery_questions.ts";
import { randomLatentSet } from "../features/sae_features.ts";
import { latentInputs, randomControlSeed, withDiscovery } from "../methods/latents.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type Params } from "../models/model.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { promptTokens } from "../world/documents.ts";
import type { SplitQuestion } from "../world/splits.ts";

const modelFiles = (d: string) => [`${d}/model.json`, `${d}/weights.bin`];

/** The readout account of the base seed of `key`. */
export function readoutAccountStage(run: Run, key: RunKey): StageSpec {
  const cfg = run.config, root = run.root;
  const paths = runPaths(run.profile, key);
  return {
    name: `base-${key.base}/readouts`,
    dir: dirname(paths.readouts),
    config: {
      discover: { layer: cfg.discover.layer, promptDomains: cfg.discover.promptDomains },
      random: cfg.random,
    },
    seeds: { baseSeed: key.base, randomSeed: cfg.random.seed },
    inputs: [
      paths.questions,
      ...modelFiles(paths.pretrain),
      ...modelFiles(paths.discoveryModel),
      ...latentInputs(run, key),
    ],
    outputs: [paths.readouts],
    code: import.meta.url,
    run: async () => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const prompts = discoveryQuestions(questions, cfg.discover.promptDomains).map((q) => promptTokens(q));
      const base = await loadCheckpoint(join(root, paths.pretrain));
      const site = `blocks.${cfg.discover.layer}.resid_post`;
      const acts = (p: Params) => lastTokenActivations(p, base.config, run.tokenizer, prompts, site);
      try {
        const baseActs = await acts(base.params);
        const tuned = await loadCheckpoint(join(root, paths.discoveryModel));
        let tunedActs;
        try {
          tunedActs = await acts(tuned.params);
        } finally {
          disposeParams(tuned.params);
        }
        const account = await withDiscovery({ run, key, model: base.config }, (d) => {
          // The random control's own latent sets, draw by draw.
          const randomSets = Array.from(
            { length: cfg.random.draws },
            (_, draw) =>
              randomLatentSet(
                d.selected,
                d.sae.config.dSae,
                d.found.latents,
                randomControlSeed(cfg.random.seed, draw),
              ),
          );
          return readoutAccount(d.sae.params, d.selected, randomSets, baseActs, tunedActs);
        });
        await writeJsonAtomic(join(root, paths.readouts), { base: key.base, ...account });
      } finally {
        disposeParams(base.params);
      }
      return [paths.readouts];
    },
  };
}
