import { assertEquals, assertThrows } from "../core/assert.ts";
import { PROFILE_NAMES } from "./names.ts";
import { PROFILES, resolveConfig } from "./profiles.ts";
import { MAX_STEPS } from "./schema.ts";

Deno.test("every profile resolves and passes its own checks", () => {
  for (const p of PROFILE_NAMES) assertEquals(resolveConfig(p).seeds, PROFILES[p].seeds);
});

Deno.test("an override never changes an experiment silently: empty items, empty lists, repeats and aliased seeds are errors", () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ "block.lambdaGrid": "0.1,,1" }, /'block.lambdaGrid'.*without empty items, got "0.1,,1"/],
    [{ "seeds.finetune": "" }, /'seeds.finetune'/],
    [{ "discover.alphas": "" }, /'discover.alphas'/],
    [{ "seeds.finetune": "1,1" }, /'seeds.finetune' lists 1 twice/],
    [{ "finetune.domains": "medical,medical" }, /'finetune.domains' lists "medical" twice/],
    [{ "data.splitSeed": "4294968530" }, /'data.splitSeed' expects <=4294967295/],
    [{ "seeds.base": "-1" }, /'seeds.base.0' expects >=0/],
    [{ "pretrain.steps": "1e15" }, new RegExp(`'pretrain.steps' expects <=${MAX_STEPS}`)],
    [{ "pretrain.steps": "2.5" }, /'pretrain.steps'.*a whole number/],
    [{ "pretrain.lr": "0x10" }, /'pretrain.lr'.*expects a number, got "0x10"/],
    [{ "block.readout": "" }, /'block.readout'.*a non-empty name/],
    [{ "finetune.domains": "finance/../medical" }, /Unknown fine-tuning domain "finance\/..\/medical"/],
    [{ "model.contextLength": "4" }, /'model.contextLength' must be at least 26/],
    [{ "finetune.epochs": "200", "experiment.prolongFactor": "10" }, /at most 1000, got 2000/],
  ];
  for (const [overrides, message] of bad) assertThrows(() => resolveConfig("tiny", overrides), message);
});

Deno.test("list keys take their element type from the schema, also where the default list is empty", () => {
  const cfg = resolveConfig("tiny", { "reproduce.include": "smoke", "reproduce.grids": "main,k" });
  assertEquals(cfg.reproduce.include, ["smoke"]);
  assertEquals(cfg.reproduce.grids, ["main", "k"]);
  assertThrows(() => resolveConfig("tiny", { "reproduce.grids": "mian" }), /'reproduce.grids.0'/);
  assertEquals(resolveConfig("tiny", { "block.lambdaGrid": " 0.1, 1 " }).block.lambdaGrid, [0.1, 1]);
});

Deno.test("unknown profiles and keys are named, long values cut", () => {
  assertThrows(() => resolveConfig("constructor"), /Unknown profile "constructor" \(known: smoke/);
  assertThrows(
    () => resolveConfig("tiny", { "model.constructor": "1" }),
    /Unknown config key "model.constructor"/,
  );
  const long = "9".repeat(100_000);
  let message = "";
  try {
    resolveConfig("tiny", { "block.readout": long });
  } catch (err) {
    message = (err as Error).message;
  }
  assertEquals(message.length < 300, true, `${message.length} characters`);
  assertEquals(message.includes("(100002 characters)"), true, message.slice(0, 200));
});
