import { assertEquals, assertThrows } from "../core/assert.ts";
import { orderStages, upstreamOf } from "./graph.ts";
import type { StageSpec } from "./stage.ts";

/** A stage that reads `inputs` and writes `outputs` (nothing runs). */
const stage = (name: string, inputs: string[], outputs: string[]): StageSpec => ({
  name,
  dir: `d/${name}`,
  config: {},
  seeds: {},
  inputs,
  outputs,
  code: "file:///x.ts",
  run: () => Promise.resolve(outputs),
});

const names = (stages: readonly StageSpec[]) => stages.map((s) => s.name);

Deno.test("stages run after the stages producing their inputs; otherwise in the order given", () => {
  const c = stage("c", ["b.out"], ["c.out"]);
  const b = stage("b", ["a.out"], ["b.out"]);
  const a = stage("a", ["raw"], ["a.out"]);
  const x = stage("x", [], ["x.out"]);
  assertEquals(names(orderStages([c, x, b, a])), ["a", "b", "c", "x"]);
  assertEquals(names(orderStages([x, a, b, c])), ["x", "a", "b", "c"]);
  // One stage per folder: the first wins.
  assertEquals(names(orderStages([a, { ...a, name: "a-again" }])), ["a"]);
});

Deno.test("a cycle and two producers of one file are refused, naming the stages", () => {
  const p = stage("p", ["q.out"], ["p.out"]), q = stage("q", ["p.out"], ["q.out"]);
  assertThrows(() => orderStages([p, q]), /Stage cycle: p → q → p/);
  assertThrows(
    () => orderStages([stage("one", [], ["f"]), stage("two", [], ["f"])]),
    /'one' and 'two' both declare the output f/,
  );
});

Deno.test("upstreamOf picks only the stages a target needs, in order", () => {
  const catalog = [
    stage("summary", ["eval.out", "judge.out"], ["summary.out"]),
    stage("eval", ["model.out"], ["eval.out"]),
    stage("judge", ["data.out"], ["judge.out"]),
    stage("model", ["data.out"], ["model.out"]),
    stage("data", [], ["data.out"]),
    stage("unrelated", ["data.out"], ["other.out"]),
  ];
  assertEquals(names(upstreamOf(catalog, ["eval.out"])), ["data", "model", "eval"]);
  assertEquals(names(upstreamOf(catalog, ["summary.out"])), ["data", "model", "eval", "judge", "summary"]);
  // A target no stage produces is left to the stage that reads it (which names it as missing).
  assertEquals(names(upstreamOf(catalog, ["elsewhere"])), []);
});
