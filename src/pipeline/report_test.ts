import { join } from "node:path";
import { assertEquals, assertOk } from "../core/assert.ts";
import { reportHtml } from "../reports/html.ts";
import { renderSvg } from "../reports/vega.ts";
import { gitCommit, paperSections, REPORT_SOURCES } from "./report.ts";

Deno.test("the report names every source not computed yet, with the command that computes it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { sections, missing } = await paperSections(root);
    assertEquals(missing.sort(), Object.keys(REPORT_SOURCES).sort());
    assertOk(sections.every((s) => s.notes?.[0].startsWith("Not computed yet: run `deno task ")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Chromium's path, or null: Debian's `chromium`, installed by `.ci/run`. */
function findChromium(): string | null {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      Deno.statSync(p);
      return p;
    } catch {
      // try the next
    }
  }
  return null;
}

const chromium = findChromium();
if (!chromium) {
  console.log("report browser test skipped: no chromium (apt-get install chromium; .ci/run does)");
}

Deno.test({
  name: "the report page renders every figure in headless Chromium (recorded results of this checkout)",
  ignore: chromium === null,
  fn: async () => {
    const { sections } = await paperSections(".");
    const rendered = [];
    for (const s of sections) {
      const figures = [];
      for (const f of s.figures) figures.push({ id: f.id, caption: f.caption, svg: await renderSvg(f.spec) });
      rendered.push({ ...s, figures });
    }
    const expected = rendered.reduce((n, s) => n + s.figures.length, 0);
    // The checkout records the paper profile's grid reports, so at least their figures are there.
    assertOk(expected >= 3, `only ${expected} figures from the recorded results`);
    const dir = await Deno.makeTempDir();
    try {
      const page = join(dir, "report.html");
      await Deno.writeTextFile(page, reportHtml("test", rendered, { commit: "test" }));
      const out = await new Deno.Command(chromium!, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          `--user-data-dir=${join(dir, "profile")}`,
          "--virtual-time-budget=5000",
          "--dump-dom",
          `file://${page}`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dom = new TextDecoder().decode(out.stdout);
      const attr = (name: string) => Number(new RegExp(`data-figures-${name}="(\\d+)"`).exec(dom)?.[1] ?? -1);
      assertEquals(attr("expected"), expected, new TextDecoder().decode(out.stderr).slice(-2000));
      assertEquals(attr("rendered"), expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the page names the commit of a checkout, of a worktree (a .git file) and nothing elsewhere", async () => {
  const root = await Deno.makeTempDir();
  try {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    await Deno.mkdir(join(root, "repo/.git/refs/heads"), { recursive: true });
    await Deno.writeTextFile(join(root, "repo/.git/HEAD"), "ref: refs/heads/main\n");
    await Deno.writeTextFile(join(root, "repo/.git/refs/heads/main"), `${sha}\n`);
    assertEquals(await gitCommit(join(root, "repo")), sha);
    // A worktree: `.git` is a file naming its git folder, whose `commondir` holds the branches.
    await Deno.mkdir(join(root, "repo/.git/worktrees/wt"), { recursive: true });
    await Deno.writeTextFile(join(root, "repo/.git/worktrees/wt/HEAD"), "ref: refs/heads/main\n");
    await Deno.writeTextFile(join(root, "repo/.git/worktrees/wt/commondir"), "../..\n");
    await Deno.mkdir(join(root, "wt"));
    await Deno.writeTextFile(join(root, "wt/.git"), `gitdir: ${join(root, "repo/.git/worktrees/wt")}\n`);
    assertEquals(await gitCommit(join(root, "wt")), sha);
    assertEquals(await gitCommit(root), null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
