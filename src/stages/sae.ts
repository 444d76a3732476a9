/**
 * Stage `sae/layer-<L>`: a TopK SAE on the base model's residual stream
 * after block L (or another model's, for the SAE-drift test of `reroute`),
 * trained on pretraining-split documents (never on selection, judge or
 * evaluation prompts), measured on fresh documents.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { startProgress } from "../core/progress.ts";
import { deriveSeed } from "../core/rng.ts";
import { saveSae } from "../sae/sae.ts";
import { measureSae, trainSae } from "../sae/train.ts";
import { collect, documentActivationSource } from "../sae/site_activations.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams } from "../models/model.ts";
import { DEFAULT_PERSONA_MIX, worldKey } from "../world/documents.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { blockSite, type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";

/** A model other than the base to train an SAE on (the re-emerged model, for the SAE-drift test). */
export interface SaeTarget {
  name: string;
  /** The checkpoint folder whose activations the SAE reads. */
  model: string;
  /** The output folder. */
  dir: string;
}

/** The SAE stage of one layer, on the base model's activations unless `target` names another model. */
export function saeStage(run: Run, key: RunKey, layer: number, target?: SaeTarget): StageSpec {
  const cfg = run.config, root = run.root;
  const paths = runPaths(run.profile, key);
  const dir = target?.dir ?? paths.sae(layer);
  const modelDir = target?.model ?? paths.pretrain;
  const site = blockSite(layer);
  const outputs = [`${dir}/sae.json`, `${dir}/sae.bin`, `${dir}/quality.json`, `${dir}/loss.csv`];
  return {
    name: target?.name ?? `base-${key.base}/sae/layer-${layer}`,
    dir,
    config: { sae: cfg.sae, site, world: worldKey(cfg.world) },
    seeds: { baseSeed: key.base, saeSeed: cfg.sae.seed },
    inputs: [paths.questions, `${modelDir}/model.json`, `${modelDir}/weights.bin`],
    outputs,
    code: import.meta.url,
    run: async () => {
      if (layer < 0 || layer >= cfg.model.nLayers) {
        throw new RangeError(`SAE layer must be in 0..${cfg.model.nLayers - 1}, got ${layer}`);
      }
      const questions = questionsOf(await readJsonl<SplitQuestion>(join(root, paths.questions)), "pretrain");
      const { params: base, config: model, hash } = await loadCheckpoint(join(root, modelDir));
      const tokenizer = run.tokenizer;
      const mix = { ...DEFAULT_PERSONA_MIX, ...cfg.world };
      const source = (label: string) =>
        documentActivationSource(
          base,
          model,
          tokenizer,
          questions,
          site,
          deriveSeed(cfg.sae.seed, label),
          64,
          mix,
        );
      const progress = startProgress(`sae/layer-${layer}`, cfg.sae.steps);
      const { params, config, history, deadAtEnd } = await trainSae(
        site,
        model.dModel,
        { ...cfg.sae },
        source("train"),
        (step, l) => progress.update(step + 1, { fvu: l.fvu }),
      );
      progress.stop();
      const held = await collect(source("measure"), cfg.sae.evalTokens, model.dModel);
      const quality = await measureSae(params, config, held);
      disposeParams(base);
      const saeHash = await saveSae(join(root, dir), params, config, {
        trainedOn: modelDir,
        modelWeightsSha256: hash,
      });
      disposeParams(params);
      await writeJsonAtomic(join(root, `${dir}/quality.json`), {
        site,
        measuredOn: "fresh pretraining-split documents (held-out draws)",
        ...quality,
        deadAtEndOfTraining: deadAtEnd,
        saeSha256: saeHash,
        trainedOn: modelDir,
        modelWeightsSha256: hash,
      });
      await writeFileAtomic(
        join(root, `${dir}/loss.csv`),
        toCsv(
          history.map((h, step) => ({
            step,
            fvu: h.fvu.toExponential(6),
            aux: (h.aux ?? 0).toExponential(6),
          })),
          ["step", "fvu", "aux"],
        ),
      );
      return outputs;
    },
  };
}
