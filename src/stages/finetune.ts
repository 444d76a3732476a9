/**
 * Stage `ft-<seed>/<domain>/<condition>`: narrow fine-tuning from the base
 * model under one of the pipeline's conditions, each a registered method:
 * `naive`; `block`, the discovered features held with the signed one-sided
 * penalty at the chosen λ; `random-<i>`, random features of the same kind,
 * count, signs and λ (draw i, the control).
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { shown } from "../core/config.ts";
import { FINETUNE_DOMAINS } from "../world/spec.ts";
import type { Method, MethodParams } from "../methods/method.ts";
import { methodNamed } from "../methods/registry.ts";
import { saveCheckpoint } from "../models/checkpoint.ts";
import { disposeParams } from "../models/model.ts";
import { lambdaInputs, resolvedLambda } from "../runs/lambda.ts";
import { finetuneConditions, type RunKey, runPaths } from "../runs/paths.ts";
import { finetuneResume } from "../runs/resume.ts";
import type { Run } from "../runs/run.ts";
import { blockKey } from "../runs/readouts.ts";
import type { StageSpec } from "../runs/stage.ts";
import { lossCurveCsv } from "../training/loss_curve.ts";
import { finetuneKey } from "../training/finetune.ts";
import { trainMethod } from "./train_method.ts";

/** The method and settings (other than λ) of a pipeline condition: naive, block, random-<i>. */
export function conditionMethod(condition: string): { method: Method; params: MethodParams } {
  if (condition === "naive" || condition === "block") return { method: methodNamed(condition), params: {} };
  const m = /^random-(\d+)$/.exec(condition);
  if (!m) throw new RangeError(`Unknown condition '${condition}' (naive, block, random-<i>)`);
  return { method: methodNamed("random"), params: { draw: Number(m[1]) } };
}

/**
 * `features.json` in its established form: λ, the kind of features, how
 * latents were read, then the set the method recorded.
 */
function featuresFile(lambda: number, record: Record<string, unknown>): Record<string, unknown> {
  const { kind = "sae-latents", lambda: _, readout, saeSha256, ...set } = record;
  return { lambda, kind, ...(readout === undefined ? {} : { readout, saeSha256 }), ...set };
}

/** The fine-tuning stage of one condition on one domain in one seed pair. */
export function finetuneStage(run: Run, key: RunKey, domain: string, condition: string): StageSpec {
  const cfg = run.config;
  const conditions = finetuneConditions(cfg.random.draws);
  if (!conditions.includes(condition)) {
    throw new RangeError(`Unknown condition ${shown(condition)} (known: ${conditions.join(", ")})`);
  }
  if (!FINETUNE_DOMAINS.includes(domain)) {
    throw new RangeError(
      `Unknown fine-tuning domain ${shown(domain)} (known: ${FINETUNE_DOMAINS.join(", ")})`,
    );
  }
  const paths = runPaths(run.profile, key);
  const dir = paths.finetune(domain, condition);
  const { method, params } = conditionMethod(condition);
  const constrained = method.group !== "reference";
  const ftConfig = finetuneKey({
    epochs: cfg.finetune.epochs,
    batchSize: cfg.finetune.batchSize,
    lr: cfg.finetune.lr,
    warmupSteps: cfg.finetune.warmupSteps,
    pullToBase: cfg.finetune.pullToBase,
  });
  const model = [`${dir}/model.json`, `${dir}/weights.bin`, `${dir}/loss.csv`];
  return {
    name: `base-${key.base}/ft-${key.finetune}/${domain}/${condition}`,
    dir,
    config: {
      domain,
      finetune: ftConfig,
      ...(constrained
        ? { block: blockKey(cfg.block), random: cfg.random, features: cfg.discover.features }
        : {}),
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
      ...method.inputs(run, key, params),
      ...(constrained ? lambdaInputs(run, key) : []),
    ],
    outputs: constrained ? [...model, `${dir}/features.json`] : model,
    code: import.meta.url,
    run: async (stage) => {
      const lambda = constrained ? await resolvedLambda(run, key) : 0;
      const trained = await trainMethod(run, key, domain, method, { ...params, lambda }, {
        config: cfg.finetune,
        seed: key.finetune,
        label: `finetune/${domain}/${condition}`,
        resume: finetuneResume(run.config, stage),
      });
      await saveCheckpoint(join(run.root, dir), trained.params, trained.model, {
        stage: `finetune/${domain}/${condition}`,
      });
      disposeParams(trained.params);
      await writeFileAtomic(join(run.root, `${dir}/loss.csv`), lossCurveCsv(trained.history));
      if (!constrained) return model;
      await writeJsonAtomic(join(run.root, `${dir}/features.json`), featuresFile(lambda, trained.record));
      return [...model, `${dir}/features.json`];
    },
  };
}
