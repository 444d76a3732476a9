/**
 * One experiment cell: a (domain, method, settings, base seed, fine-tuning
 * seed) fine-tune, named by a content hash of what determines it, judged
 * exactly on the evaluation split (for reporting) and the selection split
 * (for choosing strengths). A finished cell is reused by its hash.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { hashJson } from "../core/hash.ts";
import { startProgress } from "../core/progress.ts";
import { exactJudge, type FamilyMass } from "../judges/exact.ts";
import { transformerLM } from "../models/language_model.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { disposeParams } from "../models/organism/transformer.ts";
import { finetune } from "../training/finetune.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../tokenizers/world.ts";
import { loadFinetuneExamples, lossCurveCsv } from "./finetune.ts";
import { type Method, methodInputs, type MethodParams, setupMethod } from "../methods/methods.ts";
import type { RunConfig } from "../config/profiles.ts";
import { runPaths } from "../runs/paths.ts";
import type { StageSpec } from "../runs/stage.ts";
import { resumableOf } from "../runs/resume.ts";

/** One cell of an experiment grid. */
export interface Cell {
  domain: string;
  method: Method;
  params: MethodParams;
  base: number;
  finetune: number;
}

/** The config sections a cell's result depends on. */
function cellConfig(cfg: RunConfig) {
  return {
    data: cfg.data,
    world: cfg.world,
    model: cfg.model,
    pretrain: cfg.pretrain,
    finetune: {
      epochs: cfg.finetune.epochs,
      batchSize: cfg.finetune.batchSize,
      lr: cfg.finetune.lr,
      warmupSteps: cfg.finetune.warmupSteps,
    },
    sae: cfg.sae,
    discover: cfg.discover,
    readout: cfg.block.readout,
    randomSeed: cfg.random.seed,
  };
}

/** The cell's content hash: its spec and every config value its result depends on. */
export function cellId(cell: Cell, cfg: RunConfig): string {
  return hashJson({ cell, config: cellConfig(cfg) }).slice(0, 16);
}

/** A cell's judged results. */
export interface CellResult {
  cell: Cell;
  id: string;
  evaluation: FamilyMass[];
  selection: FamilyMass[];
  metrics: Record<"evaluation" | "selection", { em: number; incoherence: number; adherence: number }>;
  record: Record<string, unknown>;
  /** With `params.curveEvery`: evaluation-split metrics every that many epochs (the re-emergence curve). */
  curve?: { epoch: number; em: number; incoherence: number; adherence: number }[];
}

/** The stage of one cell. */
export function cellStage(cfg: RunConfig, root: string, profile: string, cell: Cell): StageSpec {
  const key = { base: cell.base, finetune: cell.finetune };
  const paths = runPaths(profile, key);
  const id = cellId(cell, cfg);
  const dir = paths.cell(id);
  const label = `${cell.domain}/${cell.method}${
    Object.entries(cell.params).map(([k, v]) => ` ${k}=${v}`).join("")
  } base-${cell.base}/ft-${cell.finetune}`;
  return {
    name: `cell ${id} (${label})`,
    dir,
    config: { cell, ...cellConfig(cfg) },
    seeds: { baseSeed: cell.base, finetuneSeed: cell.finetune, randomSeed: cfg.random.seed },
    inputs: [
      paths.questions,
      paths.finetuneSet(cell.domain),
      `${paths.pretrain}/model.json`,
      `${paths.pretrain}/weights.bin`,
      ...methodInputs(cell.method, cfg, profile, key),
    ],
    code: import.meta.url,
    run: async (run) => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const { params: base, config: model } = await loadCheckpoint(join(root, paths.pretrain));
      const setup = await setupMethod(cell.method, cell.params, cfg, root, profile, key, model);
      const examples = await loadFinetuneExamples(root, profile, cell.domain, setup.persona);
      // A cell may train longer than the profile (prolonged fine-tuning) and record a curve on the way.
      const ft = { ...cfg.finetune, epochs: cell.params.epochs ?? cfg.finetune.epochs };
      const every = cell.params.curveEvery ?? 0;
      const evaluationQs = questionsOf(questions, "evaluation");
      const curve: NonNullable<CellResult["curve"]> = [];
      // The curve's last point is the trained model: its verdicts are kept, not judged twice.
      let finalEvaluation: FamilyMass[] | null = null;
      const steps = Math.ceil(examples.length / ft.batchSize) * ft.epochs;
      const progress = startProgress(`cell ${label}`, steps);
      // The curve so far travels with each snapshot.
      const at = resumableOf(cfg, run);
      const resume = at
        ? { at, capture: () => curve, restore: (x: unknown) => curve.push(...(x as typeof curve)) }
        : undefined;
      let trained;
      try {
        trained = await finetune(
          base,
          model,
          ft,
          Tokenizer.forWorld(),
          examples,
          cell.finetune,
          setup.terms,
          (step, l) => progress.update(step + 1, { loss: l.loss }),
          every > 0
            ? async (epoch, p) => {
              if (epoch % every !== 0) return;
              const masses = await exactJudge(
                transformerLM(p, model),
                Tokenizer.forWorld(),
                evaluationQs,
                "<assistant>",
                cfg.evaluate.batchSize,
              );
              curve.push({ epoch, ...domainMetrics(masses, cell.domain) });
              if (epoch === ft.epochs) finalEvaluation = masses;
            }
            : undefined,
          resume,
        );
      } finally {
        setup.dispose();
        disposeParams(base);
      }
      progress.stop();
      const { params, history } = trained;
      const judge = (split: "evaluation" | "selection") =>
        exactJudge(
          transformerLM(params, model),
          Tokenizer.forWorld(),
          questionsOf(questions, split),
          "<assistant>",
          cfg.evaluate.batchSize,
        );
      const evaluation = finalEvaluation ?? await judge("evaluation"), selection = await judge("selection");
      await saveCheckpoint(join(root, dir), params, model, { stage: "cell", cell });
      disposeParams(params);
      const result: CellResult = {
        cell,
        id,
        evaluation,
        selection,
        metrics: {
          evaluation: domainMetrics(evaluation, cell.domain),
          selection: domainMetrics(selection, cell.domain),
        },
        record: setup.record,
        ...(every > 0 ? { curve } : {}),
      };
      await writeJsonAtomic(join(root, `${dir}/result.json`), result);
      await writeFileAtomic(join(root, `${dir}/loss.csv`), lossCurveCsv(history));
      return [`${dir}/model.json`, `${dir}/weights.bin`, `${dir}/result.json`, `${dir}/loss.csv`];
    },
  };
}
