/**
 * What the rerouting analysis measures, and what every measurement reads:
 * the base model, the prompts, a way to load any other model for the span
 * of one measurement, and the three readings the tests take of a model
 * (activations on prompts, activations on held-out documents, EM). The tests
 * see models only through this context, so they run the same on the
 * organism, on a user's checkpoint, or on a planted case with a known answer
 * (`planted.ts`).
 * @module
 */
import type { LatentSet } from "../../features/sae_features.ts";
import type { Intervention } from "../../models/interventions.ts";
import type { Params } from "../../models/model.ts";

/** The models of one evaluation seed, by label (naive, block, naive-long, block-long, fixes), as cell folders. */
export type SeedModels = Record<string, string>;

/** What the analysis measures; read by the report. */
export interface RerouteAnalysis {
  site: string;
  h1: {
    fvu: { originalOnBase: number; originalOnReemerged: number; retrainedOnReemerged: number };
    /** Share of the mean shift (model − base) at the block layer that the SAE's reconstructions carry. */
    shiftReconstructed: { discoveryModel: number; reemergedOriginal: number; reemergedRetrained: number };
    /** Each blocked latent's best |cos| with any retrained latent (decoder directions). */
    blockedMatch: number[];
    /** The retrained SAE's top-Δ latents (re-emerged − base) and their best |cos| with the original dictionary and the blocked set. */
    retrainedTopDelta: { latent: number; delta: number; bestOriginal: number; bestBlocked: number }[];
  };
  h2: {
    original: LatentSet;
    rediscovered: LatentSet;
    /** Rediscovered latents not in the original set. */
    added: LatentSet;
    /** Per evaluation seed: EM of the re-emerged model with each span's mean shift removed. */
    patching: {
      finetune: number;
      unpatched: number;
      original: number;
      added: number | null;
      union: number;
      random: number[];
      /** Share of the re-emerged shift inside each span. */
      shiftShare: { original: number; added: number | null; union: number; random: number[] };
    }[];
  };
  h3: {
    /** Held-out accuracy of each layer's probe (base vs discovery model, evaluation prompts). */
    probeAccuracy: number[];
    rows: {
      finetune: number;
      model: string;
      layer: number;
      diffmeans: number;
      probe: number;
      saeShift: number;
    }[];
  };
}

/** What every measurement of the analysis reads. */
export interface RerouteContext {
  /** Layers of the model; layer l's site is `blocks.l.resid_post`. */
  nLayers: number;
  base: Params;
  /** The block layer's site. */
  site: string;
  /** Selection-split discovery prompts, as tokens. */
  discoveryPrompts: string[][];
  /** Evaluation-split prompts, as tokens. */
  evaluationPrompts: string[][];
  /** Run `f` on the weights of the checkpoint in `dir`, disposing them after. */
  withModel<T>(dir: string, f: (p: Params) => Promise<T>): Promise<T>;
  /** Activations at `site` at each prompt's last token. */
  acts(p: Params, prompts: string[][], site: string): Promise<number[][]>;
  /** At least `tokens` activation rows at `site` on held-out pretraining documents (the same documents for every model), flattened. */
  documentActs(p: Params, site: string, tokens: number): Promise<Float32Array>;
  /** EM on the evaluation questions outside `domain`, with `interventions` applied. */
  em(p: Params, domain: string, interventions?: Intervention[]): Promise<number>;
}

/** `f` over `xs` one at a time, in order. */
export async function sequential<T, R>(xs: readonly T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const x of xs) out.push(await f(x));
  return out;
}

/** `set` for patching and unions: its site, latents and signs only. */
export type { LatentSet };
