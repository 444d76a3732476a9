import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { readJson, readJsonl, writeJsonAtomic, writeJsonlAtomic } from "../core/atomic.ts";
import { initBackend } from "../backend/backend.ts";
import type { SplitQuestion } from "../world/splits.ts";
import { audit, auditLock, auditSeeds, auditSplits, formatAudit } from "./audit.ts";
import { findManifests } from "../runs/manifests.ts";
import { runExperiment } from "./experiment.ts";
import { openRun } from "../runs/run.ts";
import { runPaths } from "../runs/paths.ts";
import { resolveConfig } from "../config/profiles.ts";
import type { Manifest } from "../runs/stage.ts";

const q = (id: string, split: SplitQuestion["split"], words: string[]) =>
  ({ id, domain: "medical", template: 0, slots: [], words, split }) as unknown as SplitQuestion;

Deno.test("split audit: a shared id, a shared normalised text or a stray fine-tuning example is a leak", () => {
  const clean = [
    q("a", "selection", ["my", "dog"]),
    q("b", "evaluation", ["my", "cat"]),
    q("c", "finetune", ["x"]),
  ];
  assertOk(auditSplits(clean, { medical: [{ questionId: "c", domain: "medical", answer: "" }] }).ok);
  const sameText = [...clean, q("d", "judge", ["My", "Dog"])];
  assertEquals(auditSplits(sameText, {}).violations.length, 1);
  assertOk(!auditSplits([...clean, q("a", "evaluation", ["z"])], {}).ok);
  assertOk(!auditSplits(clean, { medical: [{ questionId: "b", domain: "medical", answer: "" }] }).ok);
});

Deno.test("seed audit: missing seeds, non-integers and seeds that disagree with the cell or folder fail", () => {
  const m = (seeds: Record<string, number>, config: unknown = {}, stage = "x") =>
    ({ stage, seeds, config }) as Manifest;
  const cell = { domain: "medical", method: "naive", params: {}, base: 0, finetune: 2 };
  assertOk(
    auditSeeds([{
      path: "results/p/cells/1/manifest.json",
      manifest: m({ baseSeed: 0, finetuneSeed: 2 }, { cell }),
    }]).ok,
  );
  assertOk(
    !auditSeeds([{
      path: "results/p/cells/1/manifest.json",
      manifest: m({ baseSeed: 0, finetuneSeed: 1 }, { cell }),
    }]).ok,
  );
  assertOk(!auditSeeds([{ path: "results/p/base-1/sae/manifest.json", manifest: m({ baseSeed: 0 }) }]).ok);
  assertOk(!auditSeeds([{ path: "x/manifest.json", manifest: { stage: "x" } as Manifest }]).ok);
  assertOk(!auditSeeds([{ path: "x/manifest.json", manifest: m({ s: 0.5 }) }]).ok);
});

Deno.test("lock audit: every import exact and in the lock", () => {
  const lock = { specifiers: { "npm:a@1.2.3": "1.2.3", "npm:@s/b@4.0.0": "4.0.0_a@1.2.3" } };
  assertOk(auditLock({ a: "npm:a@1.2.3", b: "npm:@s/b@4.0.0" }, lock).ok);
  assertOk(!auditLock({ a: "npm:a@^1.2.3" }, lock).ok);
  assertOk(!auditLock({ c: "npm:c@1.0.0" }, lock).ok);
});

Deno.test("audit passes on a real tiny run and catches a planted leak and a planted seed mismatch", async () => {
  const backend = await initBackend("wasm");
  const root = await Deno.makeTempDir();
  try {
    await Deno.copyFile("deno.json", join(root, "deno.json"));
    await Deno.copyFile("deno.lock", join(root, "deno.lock"));
    const cfg = resolveConfig("tiny");
    const ctx = { root, backend, force: false, log: () => {} };
    await runExperiment("main", cfg, root, "tiny", ctx);
    const run = () => audit(openRun("tiny", cfg, root), ctx, { rerun: true, seed: 1 });
    const clean = await run();
    assertOk(clean.every((c) => c.ok), formatAudit("tiny", clean));
    assertEquals(clean.map((c) => c.name), ["splits", "seeds", "data", "lock", "rerun"]);
    assertOk(clean.find((c) => c.name === "rerun")!.detail.startsWith("cell "));

    // Planted seed mismatch: one cell's manifest claims another fine-tuning seed.
    const cellManifest = (await findManifests(root, `${runPaths("tiny").summaryDir}/cells`))[0];
    const original = await readJson<Manifest>(join(root, cellManifest));
    await writeJsonAtomic(join(root, cellManifest), {
      ...original,
      seeds: { ...original.seeds, finetuneSeed: 99 },
    });
    const seeds = (await run()).find((c) => c.name === "seeds")!;
    assertOk(
      !seeds.ok && seeds.violations.some((v) => v.includes("finetuneSeed 99")),
      seeds.violations.join("\n"),
    );
    await writeJsonAtomic(join(root, cellManifest), original);

    // Planted leak: an evaluation question rewritten to a selection question's text.
    const path = join(root, runPaths("tiny").questions);
    const questions = await readJsonl<SplitQuestion>(path);
    const selection = questions.find((x) => x.split === "selection")!;
    const leaked = [...questions];
    const victim = leaked.findIndex((x) => x.split === "evaluation");
    leaked[victim] = { ...leaked[victim], words: [...selection.words] };
    await writeJsonlAtomic(path, leaked);
    const checks = await run();
    const splits = checks.find((c) => c.name === "splits")!;
    assertOk(!splits.ok && splits.violations[0].includes("selection"), splits.violations.join("\n"));
    assertOk(
      !checks.find((c) => c.name === "data")!.ok,
      "the edited questions no longer match the data manifest",
    );
    assertOk(/audit FAILED: \d check\(s\) with violations$/.test(formatAudit("tiny", checks)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
