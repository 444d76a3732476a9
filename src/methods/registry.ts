/**
 * Every fine-tuning method, in report order. Adding a method is one file
 * implementing `Method` and one line here.
 * @module
 */
import { lookup, registry } from "../core/registry.ts";
import { BLOCK } from "./block.ts";
import { BLOCK_FREEZE } from "./block_freeze.ts";
import { BLOCK_LAYERS } from "./block_layers.ts";
import { BLOCK_UNION } from "./block_union.ts";
import { CAFT } from "./caft.ts";
import { DISCOVERY_ONLY } from "./discovery_only.ts";
import { FINAL_LAYER } from "./final_layer.ts";
import { FREEZE } from "./freeze.ts";
import { INOCULATION } from "./inoculation.ts";
import { KL } from "./kl.ts";
import { LDIFS } from "./ldifs.ts";
import type { Method, MethodContext, MethodParams, MethodSetup } from "./method.ts";
import { NAIVE } from "./naive.ts";
import { KMINUS_ONLY, KPLUS_ONLY } from "./one_side.ts";
import { RANDOM } from "./random.ts";
import { READOUT_METHODS } from "./readout_variants.ts";
import { SHUFFLED_SIGNS } from "./shuffled_signs.ts";
import { STEER } from "./steer.ts";

/** The registered methods by name, in report order; names are unique. */
export const METHODS: ReadonlyMap<string, Method> = registry("Method", [
  NAIVE,
  BLOCK,
  RANDOM,
  ...READOUT_METHODS,
  DISCOVERY_ONLY,
  SHUFFLED_SIGNS,
  KPLUS_ONLY,
  KMINUS_ONLY,
  FINAL_LAYER,
  KL,
  LDIFS,
  CAFT,
  STEER,
  INOCULATION,
  FREEZE,
  BLOCK_UNION,
  BLOCK_LAYERS,
  BLOCK_FREEZE,
]);

/** The method called `name`; an unknown name is an error listing the known ones. */
export function methodNamed(name: string): Method {
  return lookup("method", METHODS, name);
}

/** The name of the reference method every reduction is measured against (the "reference" group's). */
export function referenceMethod(): string {
  return [...METHODS.values()].find((m) => m.group === "reference")!.name;
}

/** The setting `name` sweeps, if it has a strength grid. */
export function strengthOf(name: string): string | undefined {
  return METHODS.get(name)?.strength;
}

/** The training terms of method `name` with `params` (the caller disposes the setup). */
export function setupMethod(name: string, ctx: MethodContext, params: MethodParams): Promise<MethodSetup> {
  return methodNamed(name).setup(ctx, params);
}
