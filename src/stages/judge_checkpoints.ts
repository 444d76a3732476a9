/**
 * Judging checkpoints on the evaluation split with every registered judge:
 * the judges' trained states (loaded and freed), and the verdicts of a list
 * of checkpoints, prompt by prompt. The evaluation stage and `evaluate
 * --checkpoints` use it.
 * @module
 */
import { join, resolve } from "node:path";
import { evaluateModel } from "../judges/evaluate_model.ts";
import { JUDGES } from "../judges/registry.ts";
import type { PromptRecord } from "../judges/statistics.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { transformerLM } from "../models/language_model.ts";
import { disposeParams } from "../models/model.ts";
import { runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { SplitQuestion } from "../world/splits.ts";

/** The evaluation split, and nothing else: evaluation never reads fine-tuning, selection or judge prompts. */
export function evaluationQuestions(questions: readonly SplitQuestion[]): SplitQuestion[] {
  return questions.filter((q) => q.split === "evaluation");
}

/** The files of the judges' trained states (the learned judge's classifier). */
export function judgeStateFiles(run: Run): string[] {
  const paths = runPaths(run.profile);
  return JUDGES.flatMap((j) => (j.state ? [paths.profileFile(j.state.file)] : []));
}

/**
 * Load every judge's trained state. A missing one is an error when
 * `required`; otherwise that judge is left out, with a note naming the
 * command that trains it.
 */
export async function loadJudgeStates(
  run: Run,
  required: boolean,
  note: (line: string) => void = () => {},
): Promise<Map<string, unknown>> {
  const states = new Map<string, unknown>();
  for (const j of JUDGES) {
    if (!j.state) continue;
    const file = runPaths(run.profile).profileFile(j.state.file);
    // Only a judge that is not there is optional: a corrupt or edited one is an error.
    const present = await Deno.stat(join(run.root, file)).then(() => true, () => false);
    if (!present && !required) {
      note(`note: no ${j.name} judge at ${file}; run '${j.state.command}' to add it`);
      continue;
    }
    states.set(j.name, await j.state.load(join(run.root, file)));
  }
  return states;
}

/** Free the judges' trained states. */
export function disposeJudgeStates(states: ReadonlyMap<string, unknown>): void {
  for (const j of JUDGES) if (j.state && states.has(j.name)) j.state.dispose(states.get(j.name));
}

/** Judge every listed checkpoint on the evaluation questions. */
export async function judgeCheckpoints(
  run: Run,
  dirs: readonly [string, string][],
  questions: readonly SplitQuestion[],
  states: ReadonlyMap<string, unknown>,
  samplingSeed: number,
  onDone?: () => void,
): Promise<PromptRecord[]> {
  const stray = questions.find((q) => q.split !== "evaluation");
  if (stray) {
    throw new Error(`Evaluation may only read evaluation-split prompts; ${stray.id} is in '${stray.split}'`);
  }
  const cfg = run.config;
  const records: PromptRecord[] = questions.map(() => ({}));
  for (const [name, dir] of dirs) {
    // A relative folder is under the run's root; an absolute one is itself.
    const { params, config } = await loadCheckpoint(resolve(run.root, dir));
    let verdicts;
    try {
      verdicts = await evaluateModel(transformerLM(params, config), run.tokenizer, questions, {
        samplesPerPrompt: cfg.evaluate.samplesPerPrompt,
        maxAnswerTokens: cfg.evaluate.maxAnswerTokens,
        seed: samplingSeed,
        batchSize: cfg.evaluate.batchSize,
        states,
      });
    } finally {
      disposeParams(params);
    }
    verdicts.forEach((v, i) => (records[i][name] = v));
    onDone?.();
  }
  return records;
}
