import { assertEquals, assertOk } from "../core/assert.ts";
import { resolveConfig } from "../config/profiles.ts";
import { upstreamOf } from "../runs/graph.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun } from "../runs/run.ts";
import { catalog } from "./catalog.ts";

const backend = {
  name: "wasm" as const,
  requested: "wasm" as const,
  adapter: null,
  kernels: "blockem" as const,
};

Deno.test("the smoke pipeline derived from the summary's inputs: every stage after its producers", () => {
  const run = openRun("smoke", resolveConfig("smoke"), "/nowhere");
  const stages = upstreamOf(catalog(run, backend), [runPaths("smoke").summary]);
  const names = stages.map((s) => s.name);
  // data, pretrain, SAE, discovery model, discovery, select, 3 domains × 5 conditions × 2 seeds, judge, evaluate, summary.
  assertEquals(stages.length, 39);
  assertEquals(names.slice(0, 5), [
    "data",
    "base-0/pretrain",
    "base-0/sae/layer-1",
    "base-0/discovery-model",
    "base-0/discover",
  ]);
  assertOk(!names.includes("base-0/sae/layer-0"), "no SAE the pipeline does not read");
  const at = new Map(names.map((n, i) => [n, i]));
  const producer = new Map(stages.flatMap((s) => s.outputs.map((o) => [o, s.name] as const)));
  for (const s of stages) {
    for (const input of s.inputs) {
      const p = producer.get(input);
      if (p) assertOk(at.get(p)! < at.get(s.name)!, `${s.name} runs before ${p}, which produces ${input}`);
    }
  }
  assertOk(at.get("base-0/select")! < at.get("base-0/ft-1/finance/block")!);
  assertEquals(names.at(-1), "summary");
});
