/**
 * Stage `summary`: the run's headline numbers in one small, deterministic
 * JSON file (`reports/summary.ts` builds it).
 * @module
 */
import { join } from "node:path";
import { readJson, writeJsonAtomic } from "../core/atomic.ts";
import { type BackendInfo, backendKey } from "../backend/backend.ts";
import { JUDGES } from "../judges/registry.ts";
import { buildSummary, type FeatureReport } from "../reports/summary.ts";
import type { summariseEvaluation } from "../reports/evaluation.ts";
import { lambdaInputs, resolvedLambda } from "../runs/lambda.ts";
import { runPaths, selectionKey } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";

type Evaluation = ReturnType<typeof summariseEvaluation>;
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The summary stage; its manifest records the whole resolved config. */
export function summaryStage(run: Run, backend: BackendInfo): StageSpec {
  const cfg = run.config, root = run.root, profile = run.profile;
  const paths = runPaths(profile);
  const selections = cfg.seeds.base.flatMap((b) => lambdaInputs(run, selectionKey(cfg, b)));
  const sae = cfg.discover.features === "sae";
  const featureFiles = sae
    ? cfg.seeds.base.flatMap((b) => {
      const p = runPaths(profile, selectionKey(cfg, b));
      return [`${p.sae(cfg.discover.layer)}/quality.json`, p.latents];
    })
    : [];
  const figureFiles = JUDGES.flatMap((
    j,
  ) => (j.summaryFigure ? [paths.profileFile(j.summaryFigure.file)] : []));
  return {
    name: "summary",
    dir: paths.summaryDir,
    config: { profile, run: cfg },
    seeds: {
      splitSeed: cfg.data.splitSeed,
      dataSeed: cfg.data.dataSeed,
      discoverSeed: cfg.discover.seed,
      randomSeed: cfg.random.seed,
      evaluateSeed: cfg.evaluate.seed,
      judgeSeed: cfg.judge.seed,
      ...Object.fromEntries(cfg.seeds.base.map((b, i) => [`baseSeed${i}`, b])),
      ...Object.fromEntries(cfg.seeds.finetune.map((f, i) => [`finetuneSeed${i}`, f])),
    },
    inputs: [paths.metrics, ...figureFiles, ...selections, ...featureFiles],
    outputs: [paths.summary],
    code: import.meta.url,
    run: async () => {
      const evaluation = await readJson<Evaluation>(join(root, paths.metrics));
      const figures: Record<string, number> = {};
      for (const j of JUDGES) {
        if (!j.summaryFigure) continue;
        figures[j.summaryFigure.key] = j.summaryFigure.read(
          await readJson(join(root, paths.profileFile(j.summaryFigure.file))),
        );
      }
      const lambdas: number[] = [];
      for (const b of cfg.seeds.base) lambdas.push(await resolvedLambda(run, selectionKey(cfg, b)));
      const featureReports: FeatureReport[] = [];
      for (const b of sae ? cfg.seeds.base : []) featureReports.push(await readFeatureReport(run, b));
      await writeJsonAtomic(
        join(root, paths.summary),
        buildSummary(profile, cfg, backendKey(backend), evaluation, lambdas, figures, featureReports),
      );
      return [paths.summary];
    },
  };
}

interface SteeringSide {
  induceGain: number;
  repairGain: number;
}

/** The SAE quality and the discovery outcome of one base seed. */
async function readFeatureReport(run: Run, base: number): Promise<FeatureReport> {
  const cfg = run.config, root = run.root;
  const p = runPaths(run.profile, selectionKey(cfg, base));
  const q = await readJson<{ site: string; fvu: number; l0: number; deadFraction: number }>(
    join(root, `${p.sae(cfg.discover.layer)}/quality.json`),
  );
  const found = await readJson<{
    latents: number[];
    kPlus: number[];
    kMinus: number[];
    setSteering: { selected: SteeringSide; random: SteeringSide[] };
  }>(join(root, p.latents));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const r = found.setSteering.random;
  return {
    baseSeed: base,
    sae: { site: q.site, fvu: round(q.fvu), l0: round(q.l0), deadFraction: round(q.deadFraction) },
    latents: found.latents,
    kPlus: found.kPlus,
    kMinus: found.kMinus,
    steering: {
      selected: {
        induce: round(found.setSteering.selected.induceGain),
        repair: round(found.setSteering.selected.repairGain),
      },
      random: {
        induce: round(mean(r.map((x) => x.induceGain))),
        repair: round(mean(r.map((x) => x.repairGain))),
      },
    },
  };
}
