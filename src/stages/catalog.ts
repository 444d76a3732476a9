/**
 * Every stage a profile's pipeline can run: data; per base seed the base
 * model, an SAE and discovery at every layer, the discovery model and the
 * λ selection; every condition's fine-tune; the learned judge; evaluation;
 * the summary. Nothing runs because it is listed: a command asks for
 * targets and `runs/graph.ts` picks the stages that produce them, in order.
 * @module
 */
import type { BackendInfo } from "../backend/backend.ts";
import { finetuneConditions, selectionKey } from "../runs/paths.ts";
import type { Run } from "../runs/run.ts";
import type { StageSpec } from "../runs/stage.ts";
import { dataStage } from "./data.ts";
import { discoverStage } from "./discover.ts";
import { discoveryModelStage } from "./discovery_model.ts";
import { evaluateStage } from "./evaluate.ts";
import { finetuneStage } from "./finetune.ts";
import { judgeStage } from "./judge.ts";
import { pretrainStage } from "./pretrain.ts";
import { saeStage } from "./sae.ts";
import { selectStage } from "./select.ts";
import { comparedReadouts } from "../runs/readouts.ts";
import { summaryStage } from "./summary.ts";

/** The stages of one base seed: base model, SAEs and discovery at every layer, discovery model, λ selection. */
function baseSeedStages(run: Run, base: number): StageSpec[] {
  const cfg = run.config;
  const key = selectionKey(cfg, base);
  const layers = Array.from({ length: cfg.model.nLayers }, (_, l) => l);
  return [
    pretrainStage(run, key),
    ...layers.map((l) => saeStage(run, key, l)),
    discoveryModelStage(run, key),
    ...layers.map((l) => discoverStage(run, key, l)),
    ...(cfg.block.selectLambda ? [selectStage(run, key)] : []),
    // The other readout's λ is always chosen on the selection split.
    ...comparedReadouts(cfg).slice(1).map((r) => selectStage(run, key, r)),
  ];
}

/** Every stage of a profile's pipeline. */
export function catalog(run: Run, backend: BackendInfo): StageSpec[] {
  const cfg = run.config;
  const finetunes = cfg.seeds.base.flatMap((base) =>
    cfg.seeds.finetune.flatMap((finetune) =>
      cfg.finetune.domains.flatMap((domain) =>
        finetuneConditions(cfg.random.draws).map((c) => finetuneStage(run, { base, finetune }, domain, c))
      )
    )
  );
  // λ is selected against the discovery domain's naive fine-tune of the first seed, whatever the domains.
  const selectionNaive = cfg.seeds.base.map((base) =>
    finetuneStage(run, selectionKey(cfg, base), cfg.discover.domain, "naive")
  );
  return [
    dataStage(run),
    ...cfg.seeds.base.flatMap((base) => baseSeedStages(run, base)),
    ...selectionNaive,
    ...finetunes,
    judgeStage(run),
    evaluateStage(run),
    summaryStage(run, backend),
  ];
}
