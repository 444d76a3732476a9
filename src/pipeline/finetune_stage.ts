/**
 * Stage `finetune/<condition>`: narrow fine-tuning from the base model.
 * `naive` has no constraint; `block` holds the discovered directions with
 * the signed one-sided penalty; `random-<i>` holds seeded random directions
 * of the same count, signs and λ (the control).
 * @module
 */
import { join } from "node:path";
import { readJson, readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { startProgress } from "../core/progress.ts";
import { deriveSeed } from "../core/rng.ts";
import { DirectionFeatures, type DirectionSet } from "../features/feature_map.ts";
import { randomDirectionSet } from "../features/random_directions.ts";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../model/transformer.ts";
import { finetune } from "../training/finetune.ts";
import { finetuneExample, type Sequence } from "../world/documents.ts";
import type { SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../world/tokenizer.ts";
import type { FinetuneRecord } from "./data_stage.ts";
import type { RunConfig } from "./profiles.ts";
import { type RunKey, runPaths } from "./paths.ts";
import type { StageSpec } from "./stage.ts";

/** The direction set a condition blocks, or null for naive. */
export function conditionDirections(
  condition: string,
  found: DirectionSet,
  cfg: RunConfig,
): DirectionSet | null {
  if (condition === "naive") return null;
  if (condition === "block") return found;
  const m = /^random-(\d+)$/.exec(condition);
  if (m) return randomDirectionSet(found, deriveSeed(cfg.random.seed, `random/${m[1]}`));
  throw new RangeError(`Unknown condition '${condition}' (naive, block, random-<i>)`);
}

/** The fine-tuning examples of `domain`, checked to come from the fine-tune split. */
export async function loadFinetuneExamples(
  root: string,
  profile: string,
  domain: string,
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
    return finetuneExample(q, r.answer.split(" "));
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
  return (await readJson<{ chosenLambda: number }>(join(root, runPaths(profile, key).selection)))
    .chosenLambda;
}

/** The seed cell whose models the `select` stage uses: the base seed's first fine-tuning seed. */
export function selectionKey(cfg: RunConfig, base: number): RunKey {
  return { base, finetune: cfg.seeds.finetune[0] };
}

/**
 * Fine-tune the base on the run's examples, blocking `set` with `lambda`
 * when a set is given; every stage that fine-tunes goes through here.
 */
export async function trainCondition(
  base: Params,
  model: ModelConfig,
  cfg: RunConfig,
  examples: readonly Sequence[],
  seed: number,
  set: DirectionSet | null,
  lambda: number,
  onStep?: (step: number, losses: Record<string, number>) => void,
): Promise<{ params: Params; history: Record<string, number>[] }> {
  const features = set ? new DirectionFeatures(set) : null;
  try {
    return await finetune(
      base,
      model,
      cfg.finetune,
      Tokenizer.forWorld(),
      examples,
      seed,
      features ? { features, lambda } : undefined,
      onStep,
    );
  } finally {
    features?.dispose();
  }
}

/** The fine-tuning stage of one condition in one seed cell. */
export function finetuneStage(
  cfg: RunConfig,
  root: string,
  profile: string,
  key: RunKey,
  condition: string,
): StageSpec {
  const paths = runPaths(profile, key);
  const dir = paths.finetune(condition);
  const constrained = condition !== "naive";
  return {
    name: `base-${key.base}/ft-${key.finetune}/${condition}`,
    dir,
    config: { finetune: cfg.finetune, ...(constrained ? { block: cfg.block, random: cfg.random } : {}) },
    seeds: {
      baseSeed: key.base,
      finetuneSeed: key.finetune,
      ...(constrained ? { randomSeed: cfg.random.seed } : {}),
    },
    inputs: [
      paths.questions,
      paths.finetuneSet(cfg.finetune.domain),
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
      ...(constrained ? [paths.directions] : []),
      ...(constrained && cfg.block.selectLambda ? [paths.selection] : []),
    ],
    run: async () => {
      const examples = await loadFinetuneExamples(root, profile, cfg.finetune.domain);
      const lambda = constrained ? await resolvedLambda(cfg, root, profile, key) : 0;
      const { params: base, config: model } = await loadCheckpoint(join(root, paths.pretrain));
      const set = constrained
        ? conditionDirections(condition, await readJson<DirectionSet>(join(root, paths.directions)), cfg)
        : null;
      const steps = Math.ceil(examples.length / cfg.finetune.batchSize) * cfg.finetune.epochs;
      const progress = startProgress(`finetune/${condition}`, steps);
      const { params, history } = await trainCondition(
        base,
        model,
        cfg,
        examples,
        key.finetune,
        set,
        lambda,
        (step, l) => progress.update(step + 1, { loss: l.loss }),
      );
      progress.stop();
      disposeParams(base);
      await saveCheckpoint(join(root, dir), params, model, { stage: `finetune/${condition}` });
      disposeParams(params);
      const outs = [`${dir}/model.json`, `${dir}/weights.bin`, `${dir}/loss.csv`];
      const cols = Object.keys(history[0] ?? { loss: 0 });
      await writeFileAtomic(
        join(root, `${dir}/loss.csv`),
        toCsv(
          history.map((h, step) => ({
            step,
            ...Object.fromEntries(cols.map((c) => [c, h[c].toExponential(6)])),
          })),
          ["step", ...cols],
        ),
      );
      if (set) {
        await writeJsonAtomic(join(root, `${dir}/directions.json`), set);
        outs.push(`${dir}/directions.json`);
      }
      return outs;
    },
  };
}
