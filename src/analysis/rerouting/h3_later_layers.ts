/**
 * H3, a bypass through later layers: the misalignment signal at every
 * layer of every model, relative to the base on evaluation prompts: the
 * projection on the layer's difference-of-means direction (discovery model
 * − base), a probe's share of answers called misaligned, and how far the
 * layer's SAE latents moved.
 * @module
 */
import { meanLatents } from "../../features/top_delta.ts";
import type { Params } from "../../models/model.ts";
import type { SaeConfig } from "../../sae/sae.ts";
import { fitProbe, positiveRate, type Probe } from "../probe.ts";
import { meanRow } from "../subspace.ts";
import type { RerouteAnalysis, RerouteContext, SeedModels } from "./types.ts";

/** What H3 reads beyond the context: the discovery model and one SAE per layer. */
export interface LayerInputs {
  discovery: Params;
  saes: readonly { params: Params; config: SaeConfig }[];
  seeds: ReadonlyMap<number, SeedModels>;
}

/** One layer's references from the base and the discovery model. */
interface LayerReference {
  direction: number[];
  probe: Probe;
  baseEval: number[][];
  baseEvalMean: number[];
  baseLatentMean: Float32Array;
  discoveryEval: number[][];
}

/** ‖t − b‖₂ / ‖b‖₂: how far mean latent activations moved, relative to the base's. */
export function relativeDistance(t: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (t[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

const siteOf = (layer: number) => `blocks.${layer}.resid_post`;

async function layerReference(ctx: RerouteContext, x: LayerInputs, l: number): Promise<LayerReference> {
  const s = siteOf(l);
  const baseDisc = await ctx.acts(ctx.base, ctx.discoveryPrompts, s),
    tunedDisc = await ctx.acts(x.discovery, ctx.discoveryPrompts, s);
  const baseEval = await ctx.acts(ctx.base, ctx.evaluationPrompts, s);
  const baseDiscMean = meanRow(baseDisc);
  const direction = meanRow(tunedDisc).map((v, j) => v - baseDiscMean[j]);
  const norm = Math.hypot(...direction);
  return {
    direction: direction.map((v) => v / norm),
    probe: fitProbe(baseDisc, tunedDisc),
    baseEval,
    baseEvalMean: meanRow(baseEval),
    baseLatentMean: await meanLatents(x.saes[l].params, x.saes[l].config, baseEval),
    discoveryEval: await ctx.acts(x.discovery, ctx.evaluationPrompts, s),
  };
}

/** H3's measurements: each probe's held-out accuracy and every (seed, model, layer) row. */
export async function measureLayers(ctx: RerouteContext, x: LayerInputs): Promise<RerouteAnalysis["h3"]> {
  const perLayer: LayerReference[] = [];
  for (let l = 0; l < ctx.nLayers; l++) perLayer.push(await layerReference(ctx, x, l));
  const probeAccuracy = perLayer.map((l) =>
    (1 - positiveRate(l.probe, l.baseEval) + positiveRate(l.probe, l.discoveryEval)) / 2
  );
  const rows: RerouteAnalysis["h3"]["rows"] = [];
  for (const [finetune, models] of x.seeds) {
    for (const [label, dir] of Object.entries(models)) {
      await ctx.withModel(dir, async (p) => {
        for (let l = 0; l < perLayer.length; l++) {
          const h = await ctx.acts(p, ctx.evaluationPrompts, siteOf(l));
          const { direction, probe, baseEvalMean, baseLatentMean } = perLayer[l];
          const shift = meanRow(h).map((v, j) => v - baseEvalMean[j]);
          rows.push({
            finetune,
            model: label,
            layer: l,
            diffmeans: shift.reduce((s, v, j) => s + v * direction[j], 0),
            probe: positiveRate(probe, h),
            saeShift: relativeDistance(
              await meanLatents(x.saes[l].params, x.saes[l].config, h),
              baseLatentMean,
            ),
          });
        }
      });
    }
  }
  return { probeAccuracy, rows };
}
