import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { backendKey, initBackend } from "../backend/backend.ts";
import { resolveConfig } from "../config/profiles.ts";
import { runPaths } from "../runs/paths.ts";
import { reproduce } from "./reproduce.ts";
import type { Summary } from "../reports/summary.ts";
import { openRun } from "../runs/run.ts";

const quiet = () => {};

Deno.test({
  name: "tiny end-to-end run: summary shape, stage reuse, byte-identical rerun",
  sanitizeResources: false,
  fn: async () => {
    const backend = await initBackend("wasm");
    const root = await Deno.makeTempDir({ prefix: "blockem-e2e-" });
    const config = resolveConfig("tiny");
    const first = await reproduce({ profile: "tiny", config, root, backend, log: quiet });
    assertOk(first.every((r) => r.status === "ran"));
    const path = join(root, runPaths("tiny").summary);
    const bytes1 = await Deno.readFile(path);
    const summary = JSON.parse(new TextDecoder().decode(bytes1)) as Summary;
    assertEquals(summary.profile, "tiny");
    assertEquals(summary.backend, backendKey(backend));
    assertEquals(summary.conditions.map((c) => c.name), ["base", "naive", "block", "random"]);
    for (const c of summary.conditions) {
      for (const k of ["em", "incoherence", "adherence"] as const) {
        assertOk(c[k] >= 0 && c[k] <= 1, `${c.name}.${k}`);
        assertOk(
          c.ci[k][0] <= c[k] + 1e-9 && c[k] <= c.ci[k][1] + 1e-9,
          `${c.name}.${k} outside its interval`,
        );
      }
      for (const judge of ["sampling", "learned"]) {
        const m = c[judge] as { em: { lo: number; hi: number } };
        assertOk(m.em.lo <= m.em.hi, `${c.name}: ${judge} interval`);
      }
    }
    assertEquals(summary.seeds, config.seeds);
    assertOk(summary.checks.length >= 10);
    assertEquals(summary.features, "sae");
    assertEquals(summary.domains.map((d) => d.domain), config.finetune.domains);

    // Discovery's provenance: its prompts are selection-split questions only.
    const latents = JSON.parse(await Deno.readTextFile(join(root, runPaths("tiny").latents)));
    const splitOf = new Map(
      (await Deno.readTextFile(join(root, runPaths("tiny").questions))).trim().split("\n")
        .map((l) => JSON.parse(l)).map((q) => [q.id, q.split]),
    );
    assertOk(latents.provenance.prompts.length > 0);
    assertOk(latents.provenance.prompts.every((id: string) => splitOf.get(id) === "selection"));
    assertEquals(latents.latents.length, config.discover.k);
    const latentsBytes = await Deno.readFile(join(root, runPaths("tiny").latents));

    const again = await reproduce({ profile: "tiny", config, root, backend, log: quiet });
    assertOk(again.every((r) => r.status === "reused"), "unchanged stages must be reused");

    const forced = await reproduce({ profile: "tiny", config, root, backend, force: true, log: quiet });
    assertOk(forced.every((r) => r.status === "ran"));
    assertEquals(await Deno.readFile(path), bytes1, "same seed must give a byte-identical summary");
    assertEquals(
      await Deno.readFile(join(root, runPaths("tiny").latents)),
      latentsBytes,
      "same seeds must select the same latents, byte for byte",
    );

    const manifest = JSON.parse(
      await Deno.readTextFile(join(root, runPaths("tiny").summaryDir, "manifest.json")),
    );
    assertEquals(manifest.seeds.baseSeed0, config.seeds.base[0]);
    assertEquals(manifest.backend.name, "wasm");
    assertOk(Object.keys(manifest.outputs).length > 0);

    // Adding a fine-tuning seed runs the new cell only and reuses everything upstream.
    const changed = resolveConfig("tiny", { "seeds.finetune": "1,2" });
    const partial = await reproduce({ profile: "tiny", config: changed, root, backend, log: quiet });
    const status = Object.fromEntries(partial.map((r) => [r.name, r.status]));
    assertEquals(
      [
        status["data"],
        status["base-0/pretrain"],
        status["base-0/sae/layer-0"],
        status["base-0/discover"],
        status["base-0/ft-1/finance/block"],
      ],
      ["reused", "reused", "reused", "reused", "reused"],
    );
    assertEquals([
      status["base-0/ft-2/medical/naive"],
      status["base-0/ft-2/finance/block"],
      status["evaluate"],
    ], ["ran", "ran", "ran"]);
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test("a stage without its upstream output fails clearly and writes nothing", async () => {
  const backend = await initBackend("wasm");
  const root = await Deno.makeTempDir({ prefix: "blockem-missing-" });
  const { pretrainStage } = await import("../stages/pretrain.ts");
  const { runStage } = await import("../runs/stage.ts");
  await assertRejects(
    () =>
      runStage(pretrainStage(openRun("tiny", resolveConfig("tiny"), root), { base: 0, finetune: 1 }), {
        root,
        backend,
        force: false,
        log: quiet,
      }),
    /missing its input data\/tiny\/questions.jsonl: run the upstream stage first/,
  );
  assertEquals([...Deno.readDirSync(root)], []);
  await Deno.remove(root, { recursive: true });
});
