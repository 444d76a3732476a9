/**
 * What a model architecture is: its weights by name, a forward pass with
 * named activation sites and interventions, and how its parameters map to
 * layers. The organism's transformer is one architecture (`organism/`);
 * another family is one folder implementing this interface plus one line in
 * `registry.ts`. Code outside `models/` reaches a model only through
 * `model.ts`, which dispatches on the config's `architecture`.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Intervention } from "./interventions.ts";

/** Shape of a model. */
export interface ModelConfig {
  /** A registered architecture; absent means "organism", the toolkit's own transformer. */
  architecture?: string;
  vocabSize: number;
  contextLength: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dMlp: number;
}

/** Named weights of a model. Keys are stable and used by checkpoints. */
export type Params = Record<string, tf.Variable>;

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Sites whose activations to return, shaped [batch, seq, dModel]. */
  cache?: readonly string[];
  /** Edits applied at sites, in order. */
  interventions?: readonly Intervention[];
  /** Stop after this site and return no logits (saves work for probes). */
  stopAt?: string;
  /**
   * Several documents packed into each row (`training/packing.ts`): each
   * token's position within its own document, int32 [batch, seq], and an
   * additive attention mask [batch, seq, seq] (0 where a token may attend:
   * an earlier or the same token of its own document; -1e9 elsewhere). Each
   * document then computes exactly what it would alone in a row.
   */
  packed?: { positions: tf.Tensor2D; attentionMask: tf.Tensor3D };
}

/** Result of a forward pass; caller disposes the tensors. */
export interface ForwardResult {
  /** [batch, seq, vocab], absent when `stopAt` was given. */
  logits: tf.Tensor3D | null;
  cache: Map<string, tf.Tensor3D>;
}

/** One model family. */
export interface Architecture {
  /** The name a config's `architecture` selects. */
  readonly name: string;
  /** The shape of every parameter, by name (checkpoints store them in this order). */
  paramShapes(cfg: ModelConfig): Record<string, number[]>;
  /** Throws, naming the field, on a config this architecture cannot build. */
  validate(cfg: ModelConfig): void;
  /** Fresh weights, seeded. */
  init(cfg: ModelConfig, seed: number): Params;
  /** Every activation site, in forward order. */
  siteNames(cfg: ModelConfig): string[];
  /**
   * Run on int32 tokens [batch, seq] inside `tf.tidy`: logits and the
   * requested sites, with interventions applied at their sites.
   */
  forward(params: Params, cfg: ModelConfig, tokens: tf.Tensor2D, opts: ForwardOptions): ForwardResult;
  /** Logits [n, vocab] of final-site activations [n, dModel] (the `ln_final` site). */
  unembed(params: Params, hidden: tf.Tensor2D): tf.Tensor2D;
  /** The block a parameter belongs to: -1 before the first block, `nLayers` after the last. */
  paramLayer(name: string, cfg: ModelConfig): number;
}
