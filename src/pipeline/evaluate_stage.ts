/**
 * Stage `evaluate`: the exact judge on the evaluation split for every
 * condition. EM and incoherence are measured outside the fine-tuning domain
 * (general domain included); adherence inside it.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeFileAtomic, writeJsonAtomic } from "../core/atomic.ts";
import { toCsv } from "../core/csv.ts";
import { startProgress } from "../core/progress.ts";
import { exactJudge, type FamilyMass } from "../judges/exact.ts";
import { transformerLM } from "../judges/language_model.ts";
import { adherence, emRate, incoherence, refusalRate } from "../judges/metrics.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import { disposeParams } from "../model/transformer.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";
import { Tokenizer } from "../world/tokenizer.ts";
import type { RunConfig } from "./profiles.ts";
import { finetuneConditions, runPaths } from "./paths.ts";
import type { StageSpec } from "./stage.ts";

/** Metrics of one condition. */
export interface ConditionMetrics {
  name: string;
  em: number;
  incoherence: number;
  adherence: number;
  refusal: number;
  emByDomain: Record<string, number>;
}

/** Metrics of masses judged on evaluation prompts. */
export function conditionMetrics(
  name: string,
  masses: readonly FamilyMass[],
  domain: string,
): ConditionMetrics {
  const outside = masses.filter((m) => m.domain !== domain);
  const inside = masses.filter((m) => m.domain === domain);
  const emByDomain: Record<string, number> = {};
  for (const d of [...new Set(outside.map((m) => m.domain))].sort()) {
    emByDomain[d] = emRate(outside.filter((m) => m.domain === d));
  }
  return {
    name,
    em: emRate(outside),
    incoherence: incoherence(outside),
    adherence: adherence(inside, "misaligned"),
    refusal: refusalRate(outside),
    emByDomain,
  };
}

/** The evaluation stage over base and every fine-tuned condition. */
export function evaluateStage(cfg: RunConfig, root: string, profile: string): StageSpec {
  const paths = runPaths(profile);
  const conditions = finetuneConditions(cfg.random.draws);
  const dirs: [string, string][] = [
    ["base", paths.pretrain],
    ...conditions.map((c) => [c, paths.finetune(c)] as [string, string]),
  ];
  return {
    name: "evaluate",
    dir: paths.evaluate,
    config: { evaluate: cfg.evaluate, domain: cfg.finetune.domain, conditions: dirs.map(([c]) => c) },
    seeds: {},
    inputs: [paths.questions, ...dirs.flatMap(([, d]) => [`${d}/model.json`, `${d}/weights.bin`])],
    run: async () => {
      const questions = await readJsonl<SplitQuestion>(join(root, paths.questions));
      const evaluation = questionsOf(questions, "evaluation");
      const tokenizer = Tokenizer.forWorld();
      const results: ConditionMetrics[] = [];
      const rows: Record<string, unknown>[] = [];
      const progress = startProgress("evaluate", dirs.length);
      for (const [i, [name, dir]] of dirs.entries()) {
        const { params, config: model } = await loadCheckpoint(join(root, dir));
        const masses = await exactJudge(
          transformerLM(params, model),
          tokenizer,
          evaluation,
          "<assistant>",
          cfg.evaluate.batchSize,
        );
        disposeParams(params);
        results.push(conditionMetrics(name, masses, cfg.finetune.domain));
        for (const m of masses) {
          rows.push({
            condition: name,
            ...m,
            aligned: m.aligned.toFixed(6),
            misaligned: m.misaligned.toFixed(6),
            refusal: m.refusal.toFixed(6),
            incoherent: m.incoherent.toFixed(6),
          });
        }
        progress.update(i + 1);
      }
      progress.stop();
      await writeJsonAtomic(join(root, paths.metrics), {
        judge: "exact",
        domain: cfg.finetune.domain,
        evaluationQuestions: evaluation.length,
        conditions: results,
      });
      const perPrompt = `${paths.evaluate}/per_prompt.csv`;
      await writeFileAtomic(
        join(root, perPrompt),
        toCsv(rows, ["condition", "questionId", "domain", "aligned", "misaligned", "refusal", "incoherent"]),
      );
      return [paths.metrics, perPrompt];
    },
  };
}
