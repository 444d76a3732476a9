/**
 * H1, SAE drift: does the original SAE still read the re-emerged model? Its
 * FVU on the re-emerged model's activations against an SAE retrained on
 * them, the share of the re-emerged shift its reconstructions carry, and
 * how the retrained dictionary's top-Δ latents match the original's.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { latentDirections, type LatentSet } from "../../features/sae_features.ts";
import { latentShifts, topDeltaPool } from "../../features/top_delta.ts";
import type { Params } from "../../models/model.ts";
import { decodeSae, encodeSae, type SaeConfig } from "../../sae/sae.ts";
import { measureSae } from "../../sae/train.ts";
import { bestCosines } from "../subspace.ts";
import type { RerouteAnalysis, RerouteContext } from "./types.ts";

type Sae = { params: Params; config: SaeConfig };

/** What H1 reads beyond the context. */
export interface SaeDriftInputs {
  reemerged: Params;
  /** The discovery model's checkpoint folder. */
  discoveryModel: string;
  sae: Sae;
  retrained: Sae;
  original: LatentSet;
  /** Held-out document activation rows each FVU is measured on. */
  evalTokens: number;
  poolSize: number;
}

/** H1's measurements. */
export async function measureSaeDrift(
  ctx: RerouteContext,
  x: SaeDriftInputs,
): Promise<RerouteAnalysis["h1"]> {
  const { site } = ctx;
  const { sae, retrained } = x;
  const heldOut = (p: Params) => ctx.documentActs(p, site, x.evalTokens);
  const baseRows = await heldOut(ctx.base), reRows = await heldOut(x.reemerged);
  const fvu = {
    originalOnBase: (await measureSae(sae.params, sae.config, baseRows)).fvu,
    originalOnReemerged: (await measureSae(sae.params, sae.config, reRows)).fvu,
    retrainedOnReemerged: (await measureSae(retrained.params, retrained.config, reRows)).fvu,
  };
  const baseActs = await ctx.acts(ctx.base, ctx.discoveryPrompts, site);
  const reActs = await ctx.acts(x.reemerged, ctx.discoveryPrompts, site);
  const discActs = await ctx.withModel(x.discoveryModel, (p) => ctx.acts(p, ctx.discoveryPrompts, site));
  const shiftReconstructed = {
    discoveryModel: await reconstructedShare(sae.params, sae.config, baseActs, discActs),
    reemergedOriginal: await reconstructedShare(sae.params, sae.config, baseActs, reActs),
    reemergedRetrained: await reconstructedShare(retrained.params, retrained.config, baseActs, reActs),
  };
  const allLatents = (n: number) => Array.from({ length: n }, (_, i) => i);
  const originalDict = await latentDirections(sae.params, allLatents(sae.config.dSae));
  const retrainedDict = await latentDirections(retrained.params, allLatents(retrained.config.dSae));
  const blockedDirs = x.original.latents.map((l) => originalDict[l]);
  const pool = topDeltaPool(
    await latentShifts(retrained.params, retrained.config, baseActs, reActs),
    x.poolSize,
  );
  const poolDirs = pool.map((p) => retrainedDict[p.latent]);
  const bestOriginal = bestCosines(poolDirs, originalDict), bestBlocked = bestCosines(poolDirs, blockedDirs);
  return {
    fvu,
    shiftReconstructed,
    blockedMatch: bestCosines(blockedDirs, retrainedDict),
    retrainedTopDelta: pool.map((p, i) => ({
      latent: p.latent,
      delta: p.delta,
      bestOriginal: bestOriginal[i],
      bestBlocked: bestBlocked[i],
    })),
  };
}

/**
 * Share of the mean shift (tuned − base) that the SAE's reconstructions
 * carry: 1 − ‖Δ − Δ̂‖² / ‖Δ‖² with Δ̂ the same mean shift of the reconstructions.
 */
export async function reconstructedShare(
  sae: Params,
  cfg: SaeConfig,
  baseActs: readonly number[][],
  tunedActs: readonly number[][],
): Promise<number> {
  const both = tf.tidy(() => {
    const b = tf.tensor2d(baseActs as number[][]), t = tf.tensor2d(tunedActs as number[][]);
    const rec = (x: tf.Tensor2D) => decodeSae(sae, cfg, encodeSae(sae, cfg, x));
    return tf.stack([tf.sub(tf.mean(t, 0), tf.mean(b, 0)), tf.sub(tf.mean(rec(t), 0), tf.mean(rec(b), 0))]);
  });
  const [delta, deltaHat] = await both.array() as number[][];
  both.dispose();
  const err = delta.reduce((s, x, j) => s + (x - deltaHat[j]) ** 2, 0);
  return 1 - err / delta.reduce((s, x) => s + x * x, 0);
}
