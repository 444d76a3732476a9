/**
 * Schemas of the files stages read from each other: what a reader relies on
 * is checked when the file is read, so a damaged or foreign file stops the
 * stage with one line naming the file and the key.
 * @module
 */
import { int, num, sha256Hex, v } from "../core/schema.ts";
import { RUN_CONFIG_SCHEMA } from "../config/schema.ts";

const site = () => v.pipe(v.string(), v.regex(/^blocks\.\d+\.[a-z_]+$/));
const sign = () => v.picklist([1, -1]);

/** A set of SAE latents with signs (`features/latents.json`, `reroute/discover/latents.json`). */
export const LATENT_SET_FILE = v.pipe(
  v.looseObject({ site: site(), latents: v.array(int()), signs: v.array(sign()) }),
  v.check((x) => x.latents.length === x.signs.length, "one sign per latent"),
);

/** The selected latents with discovery's candidates and activation norm. */
export const LATENT_SELECTION_FILE = v.pipe(
  v.looseObject({
    site: site(),
    latents: v.array(int()),
    signs: v.array(sign()),
    kPlus: v.array(int()),
    kMinus: v.array(int()),
    meanActivationNorm: num(0),
    candidates: v.array(v.looseObject({ latent: int(), meanBase: num(), meanTuned: num(), delta: num() })),
  }),
  v.check((x) => x.latents.length === x.signs.length, "one sign per latent"),
);

/** Difference-of-means directions (`features/directions.json`). */
export const DIRECTION_SET_FILE = v.looseObject({
  site: site(),
  directions: v.array(v.array(num())),
  signs: v.array(sign()),
});

/** The λ chosen on the selection split (`select/selection.json`). */
export const SELECTION_FILE = v.looseObject({ chosenLambda: num(0) });

const CELL = v.strictObject({
  domain: v.string(),
  // Checked against the method registry when the cell's stage is built (`methods/registry.ts`).
  method: v.string(),
  params: v.record(v.string(), num()),
  base: int(),
  finetune: int(),
});

/** A plan of cells (`plan/plan.json`). */
export const PLAN_FILE = v.strictObject({
  profile: v.string(),
  config: RUN_CONFIG_SCHEMA,
  grids: v.array(v.string()),
  cells: v.array(
    v.strictObject({
      id: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)),
      grids: v.array(v.string()),
      cell: CELL,
      /** The upstream files the cell reads, with their hashes when it was planned. */
      inputs: v.optional(v.record(v.string(), sha256Hex())),
    }),
  ),
});

const FAMILY_MASS = v.strictObject({
  questionId: v.string(),
  domain: v.string(),
  aligned: num(0, 1),
  misaligned: num(0, 1),
  refusal: num(0, 1),
  incoherent: num(0, 1),
});

/** EM is undefined (null) when nothing is coherent. */
const METRICS = v.looseObject({ em: v.nullable(num(0, 1)), incoherence: num(0, 1), adherence: num(0, 1) });

/** A finished cell's result (`cells/<id>/result.json`). */
export const CELL_RESULT_FILE = v.looseObject({
  cell: CELL,
  id: v.string(),
  evaluation: v.array(FAMILY_MASS),
  selection: v.array(FAMILY_MASS),
  metrics: v.looseObject({ evaluation: METRICS, selection: METRICS }),
  record: v.record(v.string(), v.unknown()),
});
