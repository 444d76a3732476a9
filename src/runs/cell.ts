/**
 * An experiment cell: one fine-tune of a grid, named by a content hash of
 * what determines its result, so a finished cell is reused wherever and
 * however often it is planned.
 * @module
 */
import { hashJson } from "../core/hash.ts";
import type { RunConfig } from "../config/schema.ts";
import type { FamilyMass } from "../judges/exact.ts";
import { finetuneKey } from "../training/finetune.ts";
import { worldKey } from "../world/documents.ts";

/** One cell: a (domain, method, settings, base seed, fine-tuning seed) fine-tune. */
export interface Cell {
  domain: string;
  /** A registered method's name (`methods/registry.ts`). */
  method: string;
  /** The method's numeric settings: lambda, k, draw, weight, alpha, epochs, curveEvery (as it needs). */
  params: Record<string, number>;
  base: number;
  finetune: number;
}

/** The config sections a cell's result depends on. */
export function cellConfig(cfg: RunConfig) {
  return {
    data: cfg.data,
    world: worldKey(cfg.world),
    model: cfg.model,
    pretrain: cfg.pretrain,
    finetune: finetuneKey({
      epochs: cfg.finetune.epochs,
      batchSize: cfg.finetune.batchSize,
      lr: cfg.finetune.lr,
      warmupSteps: cfg.finetune.warmupSteps,
      pullToBase: cfg.finetune.pullToBase,
    }),
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

/** A cell as one line: `domain/method k=v … base-B/ft-F`. */
export function cellLabel(cell: Cell): string {
  const settings = Object.entries(cell.params).map(([k, v]) => ` ${k}=${v}`).join("");
  return `${cell.domain}/${cell.method}${settings} base-${cell.base}/ft-${cell.finetune}`;
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
