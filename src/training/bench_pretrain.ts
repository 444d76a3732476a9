/**
 * Useful-token throughput of pretraining itself: the project's `pretrain`
 * on the world's pretraining documents, with documents padded one to
 * a row and packed several to a row. Useful tokens are document tokens
 * (they carry loss or are attended to); padding is not. Measured, never
 * asserted.
 * @module
 */
import { disposeParams, type ModelConfig } from "../models/model.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { Question } from "../world/questions.ts";
import { pretrain, type PretrainConfig } from "./pretrain.ts";
import { shapeLabel } from "./bench.ts";

/** One pretraining measurement. */
export interface PretrainBenchResult {
  shape: string;
  pack: boolean;
  steps: number;
  documentsPerStep: number;
  seconds: number;
  computedTokens: number;
  usefulTokens: number;
  usefulShare: number;
  tokensPerSecond: number;
  usefulTokensPerSecond: number;
}

/** Time `steps` pretraining steps on documents of `questions` (the pretraining split) at `model`'s shape. */
export async function benchPretrain(
  model: ModelConfig,
  config: PretrainConfig,
  tokenizer: Tokenizer,
  questions: readonly Question[],
  pack: boolean,
  steps: number,
): Promise<PretrainBenchResult> {
  const start = performance.now();
  const { params, tokens } = await pretrain({
    model,
    config: { ...config, steps, pack },
    tokenizer,
    questions,
    seed: 1,
  });
  const seconds = (performance.now() - start) / 1000;
  disposeParams(params);
  return {
    shape: shapeLabel(model),
    pack,
    steps,
    documentsPerStep: config.batchSize,
    seconds: Math.round(seconds * 100) / 100,
    computedTokens: tokens.computed,
    usefulTokens: tokens.useful,
    usefulShare: Math.round((tokens.useful / tokens.computed) * 1000) / 1000,
    tokensPerSecond: Math.round(tokens.computed / seconds),
    usefulTokensPerSecond: Math.round(tokens.useful / seconds),
  };
}
