/**
 * Known-answer checks for the rerouting tests: planted cases whose
 * activations and EM are built so that one mechanism is present (positive)
 * or absent (null), read by H1–H3 and their verdicts unchanged, through the
 * same context as a real model. Each test must fire on its positive and stay
 * silent on its null; the reroute report lists the outcomes beside its
 * verdicts, and the suite checks them.
 *
 * The planted world: a residual stream of 16 dimensions at each of 3
 * layers (the block at layer 1) whose base activations are sparse (two of
 * the atoms e₈…e₁₅ per row, plus a little dense noise), read by an SAE whose
 * dictionary is the standard basis (TopK 3), so the base reads cleanly. A
 * model is the base plus a constant shift per layer. EM is the share of
 * evaluation prompts whose block-layer activation, after any intervention,
 * projects past a threshold on a readout direction: the misaligned
 * behaviour, carried by one direction.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../core/rng.ts";
import { type LatentSet, latentUnion } from "../../features/sae_features.ts";
import type { Intervention } from "../../models/interventions.ts";
import type { Params } from "../../models/model.ts";
import type { SaeConfig } from "../../sae/sae.ts";
import { measureSaeDrift } from "./h1_sae_drift.ts";
import { measurePatching } from "./h2_other_latents.ts";
import { measureLayers } from "./h3_later_layers.ts";
import type { RerouteContext, SeedModels } from "./types.ts";
import {
  type FixRow,
  laterLayersVerdict,
  otherLatentsVerdict,
  saeDriftVerdict,
  type Verdict,
} from "./verdicts.ts";

const D = 16, LAYERS = 3, BLOCK_LAYER = 1, PROMPTS = 48, DOCUMENT_ROWS = 256, SEED = 20261202;
const siteOf = (l: number) => `blocks.${l}.resid_post`;
const SITE = siteOf(BLOCK_LAYER);
/** e_i × scale. */
const unit = (i: number, scale = 1) => Array.from({ length: D }, (_, j) => (j === i ? scale : 0));
/** The same shift on every layer. */
const everyLayer = (v: number[]) => Object.fromEntries(Array.from({ length: LAYERS }, (_, l) => [l, v]));

/** A planted model: the base plus a constant shift per layer (a missing layer: none). */
type Shifts = Record<number, number[]>;

/** One known-answer check's outcome. */
export interface PlantedOutcome {
  hypothesis: string;
  case: "positive" | "null";
  /** What was built in. */
  planted: string;
  /** Whether the test must fire. */
  expected: boolean;
  verdict: Verdict;
  /** Whether the test said what was built in. */
  ok: boolean;
}

/** Sparse rows: two of the upper atoms with weights in [0.5, 1.5), and noise of 0.05 everywhere. */
function sparseRows(rng: Rng, n: number): number[][] {
  return Array.from({ length: n }, () => {
    const row = Array.from({ length: D }, () => 0.05 * rng.normal());
    for (const atom of rng.shuffle([8, 9, 10, 11, 12, 13, 14, 15]).slice(0, 2)) row[atom] += 0.5 + rng.next();
    return row;
  });
}

/** The planted world: base activations per prompt set and layer, and the models planted in it. */
class PlantedWorld {
  readonly #rows = new Map<string, number[][]>();
  readonly #shifts = new Map<Params, Shifts>();
  readonly #byName = new Map<string, Params>();
  readonly base: Params;

  constructor() {
    for (const set of ["d", "e", "doc"]) {
      for (let l = 0; l < LAYERS; l++) {
        this.#rows.set(
          `${set}/${l}`,
          sparseRows(Rng.fork(SEED, `${set}/${l}`), set === "doc" ? DOCUMENT_ROWS : PROMPTS),
        );
      }
    }
    this.base = this.model("base", {});
  }

  /** A model named `name` (its "checkpoint folder"): the base shifted by `shifts`. */
  model(name: string, shifts: Shifts): Params {
    const p: Params = {};
    this.#shifts.set(p, shifts);
    this.#byName.set(name, p);
    return p;
  }

  /** Model p's activations at layer `layer` of prompt set `set`, rows `indices`. */
  #acts(p: Params, set: string, layer: number, indices: readonly number[]): number[][] {
    const shifts = this.#shifts.get(p);
    if (!shifts) throw new Error("Not a model of this planted world");
    const rows = this.#rows.get(`${set}/${layer}`)!, shift = shifts[layer];
    return indices.map((i) => rows[i].map((v, j) => v + (shift?.[j] ?? 0)));
  }

  /** The context the tests read, with EM carried by `readout` past `threshold` at the block layer. */
  context(readout: number[], threshold: number): RerouteContext {
    const prompts = (set: string) => Array.from({ length: PROMPTS }, (_, i) => [`${set}${i}`]);
    const layerOf = (site: string) => {
      const l = Number(/^blocks\.(\d+)\.resid_post$/.exec(site)?.[1]);
      if (!(l >= 0 && l < LAYERS)) throw new Error(`No planted site ${site}`);
      return l;
    };
    const evaluationPrompts = prompts("e");
    return {
      nLayers: LAYERS,
      base: this.base,
      site: SITE,
      discoveryPrompts: prompts("d"),
      evaluationPrompts,
      withModel: <T>(dir: string, f: (p: Params) => Promise<T>) => {
        const p = this.#byName.get(dir);
        if (!p) throw new Error(`No planted model ${dir}`);
        return f(p);
      },
      acts: (p, ps, site) =>
        Promise.resolve(
          this.#acts(
            p,
            ps[0][0].replace(/\d+$/, ""),
            layerOf(site),
            ps.map((t) => Number(/\d+$/.exec(t[0])![0])),
          ),
        ),
      documentActs: (p, site, tokens) => {
        if (tokens > DOCUMENT_ROWS) {
          throw new RangeError(`The planted world holds ${DOCUMENT_ROWS} document rows`);
        }
        const all = Array.from({ length: DOCUMENT_ROWS }, (_, i) => i);
        return Promise.resolve(Float32Array.from(this.#acts(p, "doc", layerOf(site), all).flat()));
      },
      em: (p, _domain, interventions: Intervention[] = []) => {
        const added = new Array<number>(D).fill(0);
        for (const iv of interventions) {
          if (iv.kind !== "add" || iv.site !== SITE) {
            throw new Error("The planted world takes additions at the block layer");
          }
          const dir = iv.direction.dataSync();
          for (let j = 0; j < D; j++) added[j] += iv.scale * dir[j];
        }
        const rows = this.#acts(p, "e", BLOCK_LAYER, evaluationPrompts.map((_, i) => i));
        const misaligned = rows.filter((r) =>
          r.reduce((s, v, j) => s + (v + added[j]) * readout[j], 0) > threshold
        );
        return Promise.resolve(misaligned.length / rows.length);
      },
    };
  }
}

/** The SAE that reads the planted base: the standard basis as dictionary, TopK 3, at `site`. */
function basisSae(params: Params, site: string): { params: Params; config: SaeConfig } {
  return { params, config: { site, dIn: D, dSae: D, k: 3, inputScale: 1 } };
}

/** The latents BLOCK blocked in every planted case. */
const ORIGINAL: LatentSet = { site: SITE, latents: [0, 1], signs: [1, 1] };

/** H1 on a re-emerged model shifted by `shift` at the block layer; the discovery model moved along latent 0. */
async function h1Case(params: Params, shift: number[]): Promise<Verdict> {
  const world = new PlantedWorld();
  world.model("discovery", { [BLOCK_LAYER]: unit(0) });
  const reemerged = world.model("block-long", { [BLOCK_LAYER]: shift });
  const sae = basisSae(params, SITE);
  const h1 = await measureSaeDrift(world.context(unit(0), 0.5), {
    reemerged,
    discoveryModel: "discovery",
    sae,
    retrained: sae,
    original: ORIGINAL,
    evalTokens: DOCUMENT_ROWS,
    poolSize: 4,
  });
  return saeDriftVerdict(h1);
}

/** H2 with re-emerged EM carried by `route`, and rediscovery adding latent 5. */
async function h2Case(params: Params, route: number): Promise<Verdict> {
  const world = new PlantedWorld();
  world.model("block-long", { [BLOCK_LAYER]: unit(route, 1.5) });
  const added: LatentSet = { site: SITE, latents: [5], signs: [1] };
  const seeds = new Map<number, SeedModels>([[1, { "block-long": "block-long" }]]);
  const patching = await measurePatching(world.context(unit(route), 0.75), {
    sae: basisSae(params, SITE),
    original: ORIGINAL,
    added,
    seeds,
    draws: 3,
    randomSeed: 11,
    domain: "medical",
  });
  return otherLatentsVerdict({
    original: ORIGINAL,
    rediscovered: latentUnion(ORIGINAL, added),
    added,
    patching,
  });
}

/**
 * BLOCK's reduction 0.8, 0.4 when prolonged, and a freeze fix that wins back 0.75 of the loss: coherent, or
 * (`freezeIncoherence` 0.97) only by breaking the model.
 */
const fixes = (freezeIncoherence = 0.01): FixRow[] =>
  [
    { method: "block", reduction: 0.8 },
    { method: "block-long", reduction: 0.4 },
    { method: "block-freeze-long", reduction: 0.7, restored: 0.75, incoherence: freezeIncoherence },
  ].map((f) => ({
    em: 0.2,
    reductionLo: f.reduction - 0.05,
    reductionHi: f.reduction + 0.05,
    restored: null,
    adherence: 0.9,
    adherenceCost: 0,
    incoherence: 0.01,
    ...f,
  }));

/**
 * H3 with the discovery and naive-long models moved along e₆ at every layer, block-long by `blockLong`, and a
 * freeze fix of `freezeIncoherence`.
 */
async function h3Case(params: Params, blockLong: Shifts, freezeIncoherence?: number): Promise<Verdict> {
  const world = new PlantedWorld();
  const discovery = world.model("discovery", everyLayer(unit(6)));
  world.model("naive-long", everyLayer(unit(6)));
  world.model("block-long", blockLong);
  const seeds = new Map<number, SeedModels>([[1, {
    "naive-long": "naive-long",
    "block-long": "block-long",
  }]]);
  const saes = Array.from({ length: LAYERS }, (_, l) => basisSae(params, siteOf(l)));
  const h3 = await measureLayers(world.context(unit(6), 0.5), { discovery, saes, seeds });
  return laterLayersVerdict({ h3 }, fixes(freezeIncoherence), BLOCK_LAYER);
}

/** Every known-answer check: a positive and a null per hypothesis. */
export async function plantedChecks(): Promise<PlantedOutcome[]> {
  const fixed = (t: tf.Tensor) => {
    const v = tf.variable(t, false);
    t.dispose();
    return v;
  };
  const params: Params = {
    W_enc: fixed(tf.eye(D)),
    b_enc: fixed(tf.zeros([D])),
    W_dec: fixed(tf.eye(D)),
    b_dec: fixed(tf.zeros([D])),
  };
  const outcome = (hypothesis: string, kind: "positive" | "null", planted: string, verdict: Verdict) => ({
    hypothesis,
    case: kind,
    planted,
    expected: kind === "positive",
    verdict,
    ok: verdict.supported === (kind === "positive"),
  });
  try {
    return [
      outcome(
        "H1 SAE drift",
        "positive",
        "the re-emerged model moves by 0.9 along every dimension at once, a dense shift TopK-3 cannot reconstruct",
        await h1Case(params, new Array(D).fill(0.9)),
      ),
      outcome(
        "H1 SAE drift",
        "null",
        "the re-emerged model moves along a blocked latent the SAE reads exactly",
        await h1Case(params, unit(0)),
      ),
      outcome(
        "H2 other latents at the block layer",
        "positive",
        "EM is carried by latent 5, which rediscovery adds, and the re-emerged model moved along it",
        await h2Case(params, 5),
      ),
      outcome(
        "H2 other latents at the block layer",
        "null",
        "rediscovery adds latent 5, but EM is carried by the blocked latent 0",
        await h2Case(params, 0),
      ),
      outcome(
        "H3 bypass through later layers",
        "positive",
        "the re-emerged model matches naive-long's shift after the block layer and has none at or before it",
        await h3Case(params, { [LAYERS - 1]: unit(6) }),
      ),
      outcome(
        "H3 bypass through later layers",
        "null",
        "the re-emerged model keeps 5% of naive-long's shift at every layer",
        await h3Case(params, everyLayer(unit(6, 0.05))),
      ),
      outcome(
        "H3 bypass through later layers",
        "null",
        "the bypass signal of the positive, but freezing the later layers restores the reduction only by breaking the model (incoherence 0.97)",
        await h3Case(params, { [LAYERS - 1]: unit(6) }, 0.97),
      ),
    ];
  } finally {
    tf.dispose(Object.values(params));
  }
}
