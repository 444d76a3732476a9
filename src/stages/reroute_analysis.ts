/**
 * Stage `reroute/analysis`: one measured test per explanation of
 * re-emergence under prolonged BLOCK fine-tuning (the paper's limiting
 * regime), on the re-emerged models of the `reroute` grid:
 *
 *   H1 SAE drift      the original SAE on the re-emerged model's activations
 *                     against an SAE retrained on them (`reroute/sae`);
 *   H2 same layer     latents rediscovered on a re-emerged model
 *                     (`reroute/discover`), patched out of the evaluation
 *                     seeds' re-emerged models, against random latents;
 *   H3 later layers   the misalignment signal at every layer of every model.
 *
 * The measurements are in `analysis/rerouting/`; this stage loads what they
 * read and writes `analysis.json`.
 * @module
 */
import { join } from "node:path";
import { readJsonl, writeJsonAtomic } from "../core/atomic.ts";
import { readJsonValidated } from "../core/schema.ts";
import { measureSaeDrift } from "../analysis/rerouting/h1_sae_drift.ts";
import { measurePatching } from "../analysis/rerouting/h2_other_latents.ts";
import { measureLayers } from "../analysis/rerouting/h3_later_layers.ts";
import type { RerouteAnalysis, RerouteContext, SeedModels } from "../analysis/rerouting/types.ts";
import { lastTokenActivations } from "../features/diff_of_means.ts";
import { discoveryQuestions } from "../features/discovery_questions.ts";
import { latentDifference } from "../features/sae_features.ts";
import { loadCheckpoint } from "../models/checkpoint.ts";
import { disposeParams, type ModelConfig, type Params } from "../models/model.ts";
import { LATENT_SET_FILE } from "../runs/file_schemas.ts";
import { blockSite, featurePaths, type RunKey, runPaths } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { loadSae } from "../sae/sae.ts";
import { DEFAULT_PERSONA_MIX, promptTokens } from "../world/documents.ts";
import { deriveSeed } from "../core/rng.ts";
import { collect, documentActivationSource } from "../sae/site_activations.ts";
import { exactJudge } from "../judges/exact.ts";
import { transformerLM } from "../models/language_model.ts";
import { domainMetrics } from "../stats/metrics.ts";
import { questionsOf, type SplitQuestion } from "../world/splits.ts";

const modelFiles = (d: string) => [`${d}/model.json`, `${d}/weights.bin`];
const saeFiles = (d: string) => [`${d}/sae.json`, `${d}/sae.bin`];

/** The analysis stage of a base seed over its re-emerged models. */
export function rerouteAnalysisStage(
  run: Run,
  key: RunKey,
  reemergedModel: string,
  seeds: ReadonlyMap<number, SeedModels>,
): StageSpec {
  const cfg = run.config, root = run.root;
  const paths = runPaths(run.profile, key);
  const dir = paths.reroute("analysis");
  const saeDirs = Array.from({ length: cfg.model.nLayers }, (_, l) => paths.sae(l));
  const at = (p: string) => join(root, p);
  return {
    name: `base-${key.base}/reroute/analysis`,
    dir,
    config: {
      discover: cfg.discover,
      sae: { evalTokens: cfg.sae.evalTokens, seed: cfg.sae.seed },
      random: cfg.random,
      evaluate: { batchSize: cfg.evaluate.batchSize },
      models: Object.fromEntries([...seeds].map(([f, m]) => [f, m])),
    },
    seeds: { baseSeed: key.base, saeSeed: cfg.sae.seed, randomSeed: cfg.random.seed },
    inputs: [
      paths.questions,
      ...modelFiles(paths.pretrain),
      ...modelFiles(paths.discoveryModel),
      ...modelFiles(reemergedModel),
      ...saeDirs.flatMap(saeFiles),
      ...saeFiles(paths.reroute("sae")),
      featurePaths(run, key).latents,
      paths.rerouteLatents,
      ...[...seeds.values()].flatMap((m) => Object.values(m).flatMap(modelFiles)),
    ],
    outputs: [`${dir}/analysis.json`],
    code: import.meta.url,
    run: async () => {
      const analysis = await analyse(run, key, reemergedModel, seeds);
      await writeJsonAtomic(at(`${dir}/analysis.json`), analysis);
      return [`${dir}/analysis.json`];
    },
  };
}

/** Every measurement of the analysis for one base seed. */
async function analyse(
  run: Run,
  key: RunKey,
  reemergedModel: string,
  seeds: ReadonlyMap<number, SeedModels>,
): Promise<RerouteAnalysis> {
  const cfg = run.config;
  const paths = runPaths(run.profile, key);
  const layer = cfg.discover.layer;
  const saeDirs = Array.from({ length: cfg.model.nLayers }, (_, l) => paths.sae(l));
  const at = (p: string) => join(run.root, p);
  const questions = await readJsonl<SplitQuestion>(at(paths.questions));
  const base = await loadCheckpoint(at(paths.pretrain));
  try {
    const ctx = rerouteContext(run, questions, base);
    const original = await readJsonValidated(at(featurePaths(run, key).latents), LATENT_SET_FILE);
    const rediscovered = await readJsonValidated(at(paths.rerouteLatents), LATENT_SET_FILE);
    const added = latentDifference(rediscovered, original);

    const h1 = await ctx.withModel(reemergedModel, async (reemerged) => {
      const sae = await loadSae(at(paths.sae(layer)));
      const retrained = await loadSae(at(paths.reroute("sae")));
      try {
        return await measureSaeDrift(ctx, {
          reemerged,
          discoveryModel: paths.discoveryModel,
          sae,
          retrained,
          original,
          evalTokens: cfg.sae.evalTokens,
          poolSize: cfg.discover.poolSize,
        });
      } finally {
        [sae.params, retrained.params].forEach(disposeParams);
      }
    });

    const sae = await loadSae(at(paths.sae(layer)));
    let patching;
    try {
      patching = await measurePatching(ctx, {
        sae,
        original,
        added,
        seeds,
        draws: cfg.random.draws,
        randomSeed: cfg.random.seed,
        domain: cfg.discover.domain,
      });
    } finally {
      disposeParams(sae.params);
    }

    const discovery = await loadCheckpoint(at(paths.discoveryModel));
    const saes = await loadSaes(saeDirs.map(at)).catch((err) => {
      disposeParams(discovery.params);
      throw err;
    });
    let h3;
    try {
      h3 = await measureLayers(ctx, { discovery: discovery.params, saes, seeds });
    } finally {
      disposeParams(discovery.params);
      saes.forEach((s) => disposeParams(s.params));
    }
    return {
      site: ctx.site,
      h1,
      h2: { original, rediscovered, added, patching },
      h3,
    };
  } finally {
    disposeParams(base.params);
  }
}

/** What every measurement reads: the base, the prompts, loading any other model, and the organism's readings of a model. */
function rerouteContext(
  run: Run,
  questions: readonly SplitQuestion[],
  base: { params: Params; config: ModelConfig },
): RerouteContext {
  const cfg = run.config, model = base.config, tokenizer = run.tokenizer;
  const evaluationQs = questionsOf(questions, "evaluation");
  const documents = questionsOf(questions, "pretrain");
  return {
    nLayers: model.nLayers,
    base: base.params,
    site: blockSite(run.config.discover.layer),
    discoveryPrompts: discoveryQuestions(questions, run.config.discover.promptDomains).map((q) =>
      promptTokens(q)
    ),
    evaluationPrompts: evaluationQs.map((q) => promptTokens(q)),
    withModel: async <T>(d: string, f: (p: Params) => Promise<T>): Promise<T> => {
      const m = await loadCheckpoint(join(run.root, d));
      try {
        return await f(m.params);
      } finally {
        disposeParams(m.params);
      }
    },
    acts: (p, prompts, s) => lastTokenActivations(p, model, tokenizer, prompts, s),
    // Every model reads the same held-out documents: one seed, one order.
    documentActs: (p, s, tokens) =>
      collect(
        documentActivationSource(
          p,
          model,
          tokenizer,
          documents,
          s,
          deriveSeed(cfg.sae.seed, "reroute/measure"),
          64,
          { ...DEFAULT_PERSONA_MIX, ...cfg.world },
        ),
        tokens,
        model.dModel,
      ),
    em: async (p, domain, interventions = []) => {
      const lm = transformerLM(p, model, interventions);
      const masses = await exactJudge(lm, tokenizer, evaluationQs, "<assistant>", cfg.evaluate.batchSize);
      return domainMetrics(masses, domain).em;
    },
  };
}

/** SAEs loaded one after another; a failed load frees the ones before it. */
async function loadSaes(dirs: readonly string[]) {
  const saes: Awaited<ReturnType<typeof loadSae>>[] = [];
  try {
    for (const d of dirs) saes.push(await loadSae(d));
  } catch (err) {
    saes.forEach((s) => disposeParams(s.params));
    throw err;
  }
  return saes;
}
