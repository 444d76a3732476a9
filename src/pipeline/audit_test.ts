import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { readJson, readJsonl, writeJsonAtomic, writeJsonlAtomic } from "../core/atomic.ts";
import { sha256, sha256File } from "../core/hash.ts";
import { initBackend } from "../backend/backend.ts";
import type { SplitQuestion } from "../world/splits.ts";
import { audit, auditLock, auditSeeds, auditSplits, formatAudit } from "./audit.ts";
import { auditChain, auditOutputs, profileManifests } from "./audit_chain.ts";
import { findManifests } from "../runs/manifests.ts";
import { runExperiment } from "./experiment.ts";
import { openRun } from "../runs/run.ts";
import { runPaths } from "../runs/paths.ts";
import { resolveConfig } from "../config/profiles.ts";
import { type Manifest, runStage } from "../runs/stage.ts";
import { finetuneStage } from "../stages/finetune.ts";
import { reproduce } from "./reproduce.ts";

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
    assertEquals(clean.map((c) => c.name), [
      "splits",
      "seeds",
      "outputs",
      "chain",
      "data",
      "lock",
      "integrity",
      "rerun",
    ]);
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

Deno.test({
  name:
    "audit as a verifier: an honest run without cells passes; each tampered result and a stale chain fail, named",
  sanitizeResources: false,
  fn: async () => {
    const backend = await initBackend("wasm");
    // Results anywhere: no deno.json under the root (the lock is the code's).
    const root = await Deno.makeTempDir();
    try {
      const cfg = resolveConfig("tiny");
      const ctx = { root, backend, force: false, log: () => {} };
      const empty = await audit(openRun("tiny", cfg, root), ctx, { rerun: true, seed: 1 });
      assertOk(!empty.find((c) => c.name === "outputs")!.ok && !empty.find((c) => c.name === "rerun")!.ok);
      await reproduce({ profile: "tiny", config: cfg, root, backend, log: () => {} });
      const run = () => audit(openRun("tiny", cfg, root), ctx, { rerun: true, seed: 2 });
      const clean = await run();
      assertOk(clean.every((c) => c.ok), formatAudit("tiny", clean));
      // No cells in this profile: the re-run takes a fine-tune or the evaluation.
      assertOk(/^(base-0\/ft-1\/|evaluate)/.test(clean.find((c) => c.name === "rerun")!.detail));

      const paths = runPaths("tiny", { base: 0, finetune: 1 });
      for (const file of [paths.summary, paths.metrics, paths.latents]) {
        const original = await Deno.readTextFile(join(root, file));
        await Deno.writeTextFile(
          join(root, file),
          original.replace(/[0-9]/, (d) => String((Number(d) + 1) % 10)),
        );
        const outputs = (await run()).find((c) => c.name === "outputs")!;
        assertOk(!outputs.ok && outputs.violations.some((v) => v.startsWith(`${file}: on disk`)), file);
        await Deno.writeTextFile(join(root, file), original);
      }

      // A careful forger edits a result and every manifest that records its hash: outputs and
      // the chain agree with the forgery, only re-running the stage that wrote it catches it.
      const forged = join(root, paths.summary);
      const honest = await Deno.readTextFile(forged);
      await Deno.writeTextFile(
        forged,
        honest.replace(/"block": 0\.(\d)/, (_m, d) => `"block": 0.${(Number(d) + 1) % 10}`),
      );
      assertOk((await Deno.readTextFile(forged)) !== honest);
      const forgedHash = await sha256File(forged);
      const honestHash = sha256(honest);
      const rewritten: string[] = [];
      for (const stage of await profileManifests(root, "tiny")) {
        const text = await Deno.readTextFile(join(root, stage.path));
        if (!text.includes(honestHash)) continue;
        await Deno.writeTextFile(join(root, stage.path), text.replaceAll(honestHash, forgedHash));
        rewritten.push(stage.path);
      }
      assertOk(rewritten.includes("results/tiny/manifest.json"), rewritten.join(", "));
      const forgery = await audit(openRun("tiny", cfg, root), ctx, {
        rerun: true,
        seed: 2,
        stage: "summary",
      });
      assertOk(forgery.find((c) => c.name === "outputs")!.ok && forgery.find((c) => c.name === "chain")!.ok);
      const rerun = forgery.find((c) => c.name === "rerun")!;
      assertOk(
        !rerun.ok && rerun.violations.some((v) => v.startsWith(`${paths.summary}: re-run`)),
        rerun.detail,
      );

      // Bytes are compared on the backend that made them: another backend is named, not blamed.
      const cpu = await initBackend("cpu");
      const elsewhere = (await audit(openRun("tiny", cfg, root), { ...ctx, backend: cpu }, {
        rerun: true,
        seed: 2,
        stage: "evaluate",
      })).find((c) => c.name === "rerun")!;
      await initBackend("wasm");
      assertOk(
        !elsewhere.ok &&
          /recorded on wasm\S*, this audit runs on cpu: audit with --backend wasm$/.test(
            elsewhere.violations[0],
          ),
        elsewhere.violations.join("; "),
      );

      // A stage re-run on its own with another setting leaves its readers stale: the chain breaks there.
      await runStage(
        finetuneStage(
          openRun("tiny", resolveConfig("tiny", { "finetune.lr": "2e-4" }), root),
          {
            base: 0,
            finetune: 1,
          },
          "medical",
          "naive",
        ),
        ctx,
      );
      const chain = (await run()).find((c) => c.name === "chain")!;
      assertOk(
        !chain.ok &&
          chain.violations.some((v) =>
            v.includes("stage 'evaluate' read results/tiny/base-0/ft-1/medical/naive")
          ),
        chain.violations.join("\n"),
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("audit chain: the shared report is walked when it read the profile; cells nothing reads are left out", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = async (file: string, text: string) => {
      await Deno.mkdir(join(root, file.slice(0, file.lastIndexOf("/"))), { recursive: true });
      await Deno.writeTextFile(join(root, file), text);
      return sha256(text);
    };
    const stage = async (dir: string, name: string, inputs: Record<string, string>, outputs: string[]) => {
      const out: Record<string, string> = {};
      for (const f of outputs) out[f] = await sha256File(join(root, f));
      await writeJsonAtomic(join(root, dir, "manifest.json"), {
        stage: name,
        inputs,
        outputs: out,
        seeds: {},
      });
    };
    const summary = "results/tiny/summary.json";
    const old = "results/tiny/cells/aaaa/result.json", used = "results/tiny/cells/bbbb/result.json";
    const sae = "results/tiny/base-0/sae/layer-0/sae.bin";
    const saeHash = await write(sae, "sae v2");
    await stage("results/tiny/base-0/sae/layer-0", "base-0/sae/layer-0", {}, [sae]);
    // An old cell made from the previous SAE, which no report reads; a current one the grid report reads.
    await write(old, "old");
    await stage("results/tiny/cells/aaaa", "cell aaaa (old)", { [sae]: sha256("sae v1") }, [old]);
    await write(used, "used");
    await stage("results/tiny/cells/bbbb", "cell bbbb (used)", { [sae]: saeHash }, [used]);
    await write(summary, "{}");
    await stage("results/tiny", "summary", { [used]: sha256("used") }, [summary]);
    await write("results/report.html", "<html>");
    await stage("results/report", "report", { [summary]: sha256("{}") }, ["results/report.html"]);

    const stages = await profileManifests(root, "tiny");
    assertOk(stages.some((s) => s.path === "results/report/manifest.json"), "the report read the profile");
    assertOk(!(await profileManifests(root, "smoke")).some((s) => s.path.startsWith("results/report")));
    const chain = await auditChain(stages, root);
    assertOk(chain.ok && /1 cells no stage reads left out/.test(chain.detail), chain.violations.join("; "));
    assertOk((await auditOutputs(stages, root)).ok);

    // A tampered report page fails the outputs check, named.
    await Deno.writeTextFile(join(root, "results/report.html"), "<html>forged");
    const outputs = await auditOutputs(stages, root);
    assertOk(
      !outputs.ok && outputs.violations[0].startsWith("results/report.html: on disk"),
      outputs.violations[0],
    );
    // The used cell made from another SAE breaks the chain, named.
    await stage("results/tiny/cells/bbbb", "cell bbbb (used)", { [sae]: sha256("sae v1") }, [used]);
    const broken = await auditChain(await profileManifests(root, "tiny"), root);
    assertOk(
      !broken.ok && broken.violations.some((v) => v.includes(`stage 'cell bbbb (used)' read ${sae}`)),
      broken.violations.join("; "),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
