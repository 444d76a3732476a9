/**
 * Stage `ft-<seed>/<domain>/<condition>`: narrow fine-tuning from the base
 * model. `naive` has no constraint; `block` holds the discovered features
 * with the signed one-sided penalty; `random-<i>` holds seeded random
 * features of the same kind, count, signs and λ (the control).
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { readJsonValidated } from "../core/schema.ts";
import { DIRECTION_SET_FILE, LATENT_SELECTION_FILE, SELECTION_FILE } from "../runs/file_schemas.ts";
import { startProgress } from "../core/progress.ts";
import { DirectionFeatures, type DirectionSet, type FeatureMap } from "../features/feature_map.ts";
import type { LatentSelection } from "../features/latent_selection.ts";
import { randomDirectionSet } from "../features/random_directions.ts";
import { loadSae } from "../sae/sae.ts";
import { latentFeatureMap, type LatentSet, randomLatentSet } from "../features/sae_features.ts";
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/organism/transformer.ts";
import { finetune } from "../training/finetune.ts";
import { finetuneExample, type Sequence } from "../world/documents.ts";
import type { SplitQuestion } from "../world/splits.ts";
import type { Persona } from "../world/spec.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import type { FinetuneRecord } from "./data.ts";
import type { RunConfig } from "../config/profiles.ts";
import { type RunKey, runPaths } from "../runs/paths.ts";
import { randomControlSeed } from "../methods/methods.ts";
import { resumableOf } from "../runs/resume.ts";
import type { Resumable } from "../optim/snapshot.ts";
import type { StageSpec } from "../runs/stage.ts";

/** What a condition blocks: its feature map (caller disposes) and a record of it for the outputs. */
export interface ConditionFeatures {
  features: FeatureMap;
  record: unknown;
}

/**
 * The features a condition holds, or null for naive. `block` holds the
 * discovered features (SAE latents, or the difference-of-means direction
 * with `discover.features = "diffmeans"`); `random-<i>` holds seeded random
 * features of the same kind, count and signs (the control). SAE latents are
 * read out through their encoder (z = relu(pre), the paper's definition) or,
 * with `block.readout = "decoder"`, as the projection of the activation on
 * each latent's unit decoder direction.
 */
export async function conditionFeatures(
  condition: string,
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
): Promise<ConditionFeatures | null> {
  if (condition === "naive") return null;
  const m = /^random-(\d+)$/.exec(condition);
  if (condition !== "block" && !m) {
    throw new RangeError(`Unknown condition '${condition}' (naive, block, random-<i>)`);
  }
  const paths = runPaths(profile, key);
  const randomSeed = m ? randomControlSeed(cfg, Number(m[1])) : 0;
  if (cfg.discover.features === "diffmeans") {
    const found = await readJsonValidated(join(root, paths.directions), DIRECTION_SET_FILE) as DirectionSet;
    const set = m ? randomDirectionSet(found, randomSeed) : found;
    return { features: new DirectionFeatures(set), record: { kind: "directions", ...set } };
  }
  const found = await readJsonValidated(join(root, paths.latents), LATENT_SELECTION_FILE) as LatentSelection;
  const sae = await loadSae(join(root, paths.sae(cfg.discover.layer)));
  try {
    const set: LatentSet = m
      ? randomLatentSet(found, sae.config.dSae, found.latents, randomSeed)
      : { site: found.site, latents: found.latents, signs: found.signs };
    const record = { kind: "sae-latents", readout: cfg.block.readout, saeSha256: sae.hash, ...set };
    return { features: await latentFeatureMap(sae.params, sae.config, set, cfg.block.readout), record };
  } finally {
    disposeParams(sae.params);
  }
}

/** The inputs a condition's features come from. */
export function featureInputs(cfg: RunConfig, profile: string, key: RunKey): string[] {
  const paths = runPaths(profile, key);
  if (cfg.discover.features === "diffmeans") return [paths.directions];
  const sae = paths.sae(cfg.discover.layer);
  return [paths.latents, `${sae}/sae.json`, `${sae}/sae.bin`];
}

/** A fine-tune's per-step loss parts as CSV: `step` then one column per part. */
export function lossCurveCsv(history: readonly Record<string, number>[]): string {
  const cols = Object.keys(history[0] ?? { loss: 0 });
  return toCsv(
    history.map((h, step) => ({ step, ...Object.fromEntries(cols.map((c) => [c, h[c].toExponential(6)])) })),
    ["step", ...cols],
  );
}

/** The fine-tuning examples of `domain`, checked to come from the fine-tune split. */
export async function loadFinetuneExamples(
  root: string,
  profile: string,
  domain: string,
  persona: Persona = "<assistant>",
): Promise<Sequence[]> {
  const paths = runPaths(profile);
  const questions = new Map(
    (await readJsonl<SplitQuestion>(join(root, paths.questions))).map((q) => [q.id, q]),
  );
  const records = await readJsonl<FinetuneRecord>(join(root, paths.finetuneSet(domain)));
  return records.map((r) => {
    const q = questions.get(r.questionId);
    if (!q || q.split !== "finetune") {
      throw new Error(`Fine-tune record ${r.questionId} is not a fine-tune-split question`);
    }
    return finetuneExample(q, r.answer.split(" "), persona);
  });
}

/** λ of the blocked and random conditions: fixed, or chosen by the `select` stage. */
export async function resolvedLambda(
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
): Promise<number> {
  if (!cfg.block.selectLambda) return cfg.block.lambda;
  return (await readJsonValidated(join(root, runPaths(profile, key).selection), SELECTION_FILE))
    .chosenLambda;
}

/** The seed cell whose models the `select` stage uses: the base seed's first fine-tuning seed. */
export function selectionKey(cfg: RunConfig, base: number): RunKey {
  return { base, finetune: cfg.seeds.finetune[0] };
}

/**
 * Fine-tune the base on the run's examples, blocking `features` with
 * `lambda` when given; every stage that fine-tunes goes through here.
 */
export async function trainCondition(
  base: Params,
  model: ModelConfig,
  cfg: RunConfig,
  examples: readonly Sequence[],
  seed: number,
  features: FeatureMap | null,
  lambda: number,
  onStep?: (step: number, losses: Record<string, number>) => void,
  resumable?: Resumable,
): Promise<{ params: Params; history: Record<string, number>[] }> {
  return await finetune(
    base,
    model,
    cfg.finetune,
    Tokenizer.forWorld(),
    examples,
    seed,
    features ? { block: { features, lambda } } : {},
    onStep,
    undefined,
    resumable ? { at: resumable } : undefined,
  );
}

/** The fine-tuning stage of one condition on one domain in one seed cell. */
export function finetuneStage(
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
  domain: string,
  condition: string,
): StageSpec {
  const paths = runPaths(profile, key);
  const dir = paths.finetune(domain, condition);
  const constrained = condition !== "naive";
  const ftConfig = {
    epochs: cfg.finetune.epochs,
    batchSize: cfg.finetune.batchSize,
    lr: cfg.finetune.lr,
    warmupSteps: cfg.finetune.warmupSteps,
  };
  return {
    name: `base-${key.base}/ft-${key.finetune}/${domain}/${condition}`,
    dir,
    config: {
      domain,
      finetune: ftConfig,
      ...(constrained ? { block: cfg.block, random: cfg.random, features: cfg.discover.features } : {}),
    },
    seeds: {
      baseSeed: key.base,
      finetuneSeed: key.finetune,
      ...(constrained ? { randomSeed: cfg.random.seed } : {}),
    },
    inputs: [
      paths.questions,
      paths.finetuneSet(domain),
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
      ...(constrained ? featureInputs(cfg, profile, key) : []),
      ...(constrained && cfg.block.selectLambda ? [paths.selection] : []),
    ],
    code: import.meta.url,
    run: async (run) => {
      const examples = await loadFinetuneExamples(root, profile, domain);
      const lambda = constrained ? await resolvedLambda(cfg, root, profile, key) : 0;
      const { params: base, config: model } = await loadCheckpoint(join(root, paths.pretrain));
      const held = await conditionFeatures(condition, cfg, root, profile, key);
      const steps = Math.ceil(examples.length / cfg.finetune.batchSize) * cfg.finetune.epochs;
      const progress = startProgress(`finetune/${domain}/${condition}`, steps);
      let trained;
      try {
        trained = await trainCondition(
          base,
          model,
          cfg,
          examples,
          key.finetune,
          held?.features ?? null,
          lambda,
          (step, l) => progress.update(step + 1, { loss: l.loss }),
          resumableOf(cfg, run),
        );
      } finally {
        held?.features.dispose();
      }
      const { params, history } = trained;
      progress.stop();
      disposeParams(base);
      await saveCheckpoint(join(root, dir), params, model, { stage: `finetune/${domain}/${condition}` });
      disposeParams(params);
      const outs = [`${dir}/model.json`, `${dir}/weights.bin`, `${dir}/loss.csv`];
      await writeFileAtomic(join(root, `${dir}/loss.csv`), lossCurveCsv(history));
      if (held) {
        await writeJsonAtomic(join(root, `${dir}/features.json`), { lambda, ...held.record as object });
        outs.push(`${dir}/features.json`);
      }
      return outs;
    },
  };
}
