/**
 * The stage of one experiment cell (`runs/cell.ts`): its method's fine-tune
 * from the base, judged exactly on the evaluation split (for reporting) and
 * the selection split (for choosing strengths), optionally with the
 * evaluation-split curve along training (prolonged fine-tunes). A finished
 * cell is reused by its content hash.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { exactJudge, type FamilyMass } from "../judges/exact.ts";
import { methodNamed } from "../methods/registry.ts";
import { saveCheckpoint } from "../models/checkpoint.ts";
import { transformerLM } from "../models/language_model.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/model.ts";
import { type Cell, cellConfig, cellId, cellLabel, type CellResult } from "../runs/cell.ts";
import { runPaths } from "../runs/paths.ts";
import { resumableOf } from "../runs/resume.ts";
import type { Run } from "../runs/run.ts";
import type { StageRun, StageSpec } from "../runs/stage.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { lossCurveCsv } from "../training/loss_curve.ts";
import { trainMethod } from "./train_method.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";

type Curve = NonNullable<CellResult["curve"]>;

/** The exact judge's masses for a model on one split's questions. */
function judgeOn(run: Run, params: Params, model: ModelConfig, questions: readonly SplitQuestion[]) {
  return exactJudge(
    transformerLM(params, model),
    run.tokenizer,
    questions,
    "<assistant>",
    run.config.evaluate.batchSize,
  );
}

/** The stage of one cell. */
export function cellStage(run: Run, cell: Cell): StageSpec {
  const cfg = run.config, root = run.root;
  const key = { base: cell.base, finetune: cell.finetune };
  const paths = runPaths(run.profile, key);
  const method = methodNamed(cell.method);
  const id = cellId(cell, cfg);
  const dir = paths.cell(id);
  const label = cellLabel(cell);
  const outputs = ["model.json", "weights.bin", "result.json", "loss.csv"].map((f) => `${dir}/${f}`);
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
      ...method.inputs(run, key, cell.params),
    ],
    outputs,
    cell,
    immutable: true,
    // Cells run many at a time (a worker per core): one BLAS thread each, however they are run.
    blasThreads: 1,
    code: import.meta.url,
    run: async (stage) => {
      const { params, model, history, evaluation, selection, record, curve } = await trainCell(
        run,
        cell,
        stage,
      );
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
        record,
        ...(curve ? { curve } : {}),
      };
      await writeJsonAtomic(join(root, `${dir}/result.json`), result);
      await writeFileAtomic(join(root, `${dir}/loss.csv`), lossCurveCsv(history));
      return outputs;
    },
  };
}

/** A cell's fine-tune, judged on both splits (the curve's last point reused), with its loss history. */
async function trainCell(run: Run, cell: Cell, stage: StageRun) {
  const cfg = run.config;
  const key = { base: cell.base, finetune: cell.finetune };
  const questions = await readJsonl<SplitQuestion>(join(run.root, runPaths(run.profile, key).questions));
  // A cell may train longer than the profile (prolonged fine-tuning) and record a curve on the way.
  const ft = { ...cfg.finetune, epochs: cell.params.epochs ?? cfg.finetune.epochs };
  const every = cell.params.curveEvery ?? 0;
  const evaluationQs = questionsOf(questions, "evaluation");
  const curve: Curve = [];
  // The curve's last point is the trained model: its verdicts are kept, not judged twice.
  let finalEvaluation: FamilyMass[] | null = null;
  // The curve so far travels with each snapshot.
  const at = resumableOf(cfg, stage);
  const trained = await trainMethod(run, key, cell.domain, methodNamed(cell.method), cell.params, {
    config: ft,
    seed: cell.finetune,
    label: `cell ${cellLabel(cell)}`,
    onEpochEnd: every > 0
      ? async (epoch, p, model) => {
        if (epoch % every !== 0) return;
        const masses = await judgeOn(run, p, model, evaluationQs);
        curve.push({ epoch, ...domainMetrics(masses, cell.domain) });
        if (epoch === ft.epochs) finalEvaluation = masses;
      }
      : undefined,
    resume: at
      ? { at, capture: () => curve, restore: (x: unknown) => curve.push(...(x as Curve)) }
      : undefined,
  });
  const { params, model } = trained;
  const evaluation = finalEvaluation ?? await judgeOn(run, params, model, evaluationQs);
  const selection = await judgeOn(run, params, model, questionsOf(questions, "selection"));
  return { ...trained, evaluation, selection, curve: every > 0 ? curve : null };
}
