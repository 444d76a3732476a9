/** Stage inputs verified on read, cells never recomputed in place from other upstream files, plans that notice. */
import { join } from "node:path";
import { assertEquals, assertOk, assertRejects } from "../core/assert.ts";
import { readJson, writeJsonAtomic } from "../core/atomic.ts";
import { sha256File } from "../core/hash.ts";
import { initBackend } from "../backend/backend.ts";
import { resolveConfig } from "../config/profiles.ts";
import { gridCells } from "../grids/registry.ts";
import { resolvedLambda } from "../runs/lambda.ts";
import { runPaths } from "../runs/paths.ts";
import { openRun } from "../runs/run.ts";
import { type Manifest, runStage } from "../runs/stage.ts";
import { finetuneStage } from "../stages/finetune.ts";
import { runGrid } from "./experiment.ts";
import { makePlan, planCell, staleCells, unfinishedCells, withInputs, writePlan } from "./plan.ts";

const key = { base: 0, finetune: 1 };

/** Rewrite a JSON output and, when `recorded`, its producer's manifest: an upstream that really changed. */
async function rewrite(
  root: string,
  file: string,
  edit: (x: Record<string, unknown>) => void,
  recorded: boolean,
) {
  const value = await readJson<Record<string, unknown>>(join(root, file));
  edit(value);
  await writeJsonAtomic(join(root, file), value);
  if (!recorded) return;
  const manifestPath = join(root, file.slice(0, file.lastIndexOf("/")), "manifest.json");
  const manifest = await readJson<Manifest>(manifestPath);
  manifest.outputs[file] = await sha256File(join(root, file));
  await writeJsonAtomic(manifestPath, manifest);
}

Deno.test({
  name: "edited upstream files are refused by name; finished and planned cells refuse a changed upstream",
  sanitizeResources: false,
  fn: async () => {
    const backend = await initBackend("wasm");
    const root = await Deno.makeTempDir();
    try {
      const run = openRun("tiny", resolveConfig("tiny"), root);
      const ctx = { root, backend, force: false, log: () => {} };
      await runGrid("k", run, ctx);
      const paths = runPaths("tiny", key);
      const block = finetuneStage(run, key, "medical", "block");
      const latents = await Deno.readFile(join(root, paths.latents));

      // A hand edit (a sign flipped) is refused before anything runs, naming the file and its stage.
      await rewrite(root, paths.latents, (x) => (x.signs as number[])[0] *= -1, false);
      await assertRejects(
        () => runStage(block, ctx),
        /refuses its input results\/tiny\/base-0\/features\/latents.json: it is not what stage 'base-0\/discover' wrote/,
      );
      await Deno.writeFile(join(root, paths.latents), latents);
      // So is a hand-edited λ.
      const selection = await Deno.readFile(join(root, paths.selection));
      await rewrite(root, paths.selection, (x) => (x.chosenLambda = 9), false);
      await assertRejects(() => runStage(block, ctx), /refuses its input .*select\/selection.json/);
      await Deno.writeFile(join(root, paths.selection), selection);
      await runStage(block, ctx);

      // An upstream that changed for real (its manifest agrees) under the same cell ids: cells are not rerun in place.
      const lambda = await resolvedLambda(run, key);
      const cells = gridCells("k", run.config, () => lambda);
      const plan = await withInputs(makePlan("tiny", run.config, [{ grid: "k", cells }]), run);
      await writePlan(root, plan, Deno.cwd());
      assertEquals((await unfinishedCells(root, "tiny")).unfinished, []);
      await rewrite(root, paths.latents, (x) => (x.signs as number[])[0] *= -1, true);
      await assertRejects(
        () => runGrid("k", run, ctx),
        /was finished from another .*latents.json .*remove .*cells/,
      );
      const blockCell = plan.cells.find((c) => c.cell.method === "block")!;
      await assertRejects(
        () => planCell(root, "tiny", blockCell.id),
        /latents.json changed since .* re-plan/,
      );
      // Re-planning now names the finished cells made from the old upstream, up front.
      const replanned = await withInputs(makePlan("tiny", run.config, [{ grid: "k", cells }]), run);
      const stale = await staleCells(root, replanned);
      assertEquals(
        stale.map((s) => s.file),
        plan.cells.filter((c) => c.cell.method === "block").map(() => paths.latents),
      );
      const { unfinished } = await unfinishedCells(root, "tiny");
      assertOk(
        unfinished.some((u) => u.id === blockCell.id) && !unfinished.some((u) => u.label.includes("naive")),
      );

      // A latent beyond the SAE is named with its file, not as a tensor index error.
      await rewrite(root, paths.latents, (x) => ((x.latents as number[])[0] = 94), true);
      await assertRejects(
        () => runStage(finetuneStage(run, key, "medical", "block"), { ...ctx, force: true }),
        /features\/latents.json: latent 94 is outside the SAE at .*sae\/layer-0 \(latents 0..31\)/,
      );
      // So is a site the SAE and the model do not have.
      await rewrite(root, paths.latents, (x) => {
        (x.latents as number[])[0] = 1;
        x.site = "blocks.1.resid_post";
      }, true);
      await assertRejects(
        () => runStage(finetuneStage(run, key, "medical", "block"), { ...ctx, force: true }),
        /features\/latents.json: site 'blocks.1.resid_post' is not the site 'blocks.0.resid_post' of the SAE/,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
