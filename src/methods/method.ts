/**
 * What a fine-tuning method is: the training terms and data it adds to the
 * same narrow fine-tune, the files it reads, the setting it sweeps and where
 * reports put it. Every method is one file implementing `Method` plus one
 * line in `registry.ts`; the pipeline's conditions (naive, block,
 * random-<i>) and every grid cell go through the same implementations.
 * @module
 */
import type { RunConfig } from "../config/schema.ts";
import type { ModelConfig } from "../models/model.ts";
import type { RunKey } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { FinetuneTerms } from "../training/finetune.ts";
import type { Persona } from "../world/spec.ts";

/** A method's numeric settings: lambda, k, draw, weight, alpha (as the method needs). */
export type MethodParams = Record<string, number>;

/** Where a method's cells sit in reports. */
export type MethodGroup =
  /** naive fine-tuning, the reference every reduction is measured against */
  | "reference"
  /** BLOCK-EM itself */
  | "block"
  /** the paper's ablations of BLOCK (random latents, discovery only, signs, one side, final layer) */
  | "ablation"
  /** published in-training defenses measured on the same footing */
  | "baseline"
  /** fixes for re-emergence under prolonged training */
  | "fix"
  /** BLOCK and its random control with the readout other than the run's own (`block.compareReadouts`) */
  | "readout";

/** What a method's setup sees. */
export interface MethodContext {
  run: Run;
  /** The seed pair: the base seed's discovery and SAE are read. */
  key: RunKey;
  /** The base model's shape. */
  model: ModelConfig;
}

/** What a method trains with; `dispose` frees its tensors. */
export interface MethodSetup {
  terms: FinetuneTerms;
  /** The persona tag its training examples are asked under. */
  persona: Persona;
  /** What was held or changed, for the cell's record. */
  record: Record<string, unknown>;
  dispose: () => void;
}

/** One fine-tuning method. */
export interface Method {
  readonly name: string;
  readonly group: MethodGroup;
  /** One line for listings. */
  readonly summary: string;
  /** The setting its strength grid sweeps, if any: reports mark the one the selection-split rule chooses. */
  readonly strength?: string;
  /**
   * The settings a grid of its group runs it at, given the chosen λ: one
   * cell each (a strength grid from the config, the random control's draws).
   */
  settings(cfg: RunConfig, lambda: number): MethodParams[];
  /** The files it reads, beyond the base model and the fine-tuning set. */
  inputs(run: Run, key: RunKey, params: MethodParams): string[];
  /** Its training terms for one fine-tune. */
  setup(ctx: MethodContext, params: MethodParams): Promise<MethodSetup>;
}

/** A setup that adds nothing but `terms` (and a record of them). */
export function plainSetup(
  terms: FinetuneTerms,
  record: Record<string, unknown> = {},
  persona: Persona = "<assistant>",
): MethodSetup {
  return { terms, persona, record, dispose: () => {} };
}

/** One cell with no settings. */
export const noSettings = (): MethodParams[] => [{}];

/** One cell at the chosen λ. */
export const atLambda = (_cfg: RunConfig, lambda: number): MethodParams[] => [{ lambda }];
