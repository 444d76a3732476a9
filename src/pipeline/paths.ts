/**
 * Where each stage reads and writes, relative to the project root. Each
 * stage owns exactly one folder.
 * @module
 */

/** Folder layout of one profile's run. */
export function runPaths(profile: string) {
  const r = `results/${profile}`;
  return {
    data: `data/${profile}`,
    world: `data/${profile}/world.json`,
    questions: `data/${profile}/questions.jsonl`,
    finetuneSet: (domain: string) => `data/${profile}/finetune/${domain}.jsonl`,
    pretrain: `${r}/pretrain`,
    discover: `${r}/discover`,
    directions: `${r}/discover/directions.json`,
    select: `${r}/select`,
    selection: `${r}/select/selection.json`,
    finetune: (condition: string) => `${r}/finetune/${condition}`,
    evaluate: `${r}/evaluate`,
    metrics: `${r}/evaluate/metrics.json`,
    summaryDir: r,
    summary: `${r}/summary.json`,
  };
}

/** Names of the fine-tuned conditions of a run with `draws` random controls. */
export function finetuneConditions(draws: number): string[] {
  return ["naive", "block", ...Array.from({ length: draws }, (_, i) => `random-${i}`)];
}
