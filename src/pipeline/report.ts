/**
 * Stage `report`: every table and figure of the paper from the recorded
 * experiment reports, written as Markdown, CSV and LaTeX tables and SVG
 * figures under `results/report/`, and one page `results/report.html` with
 * the provenance (commit, lock hash, seeds, backend, adapter). Each grid
 * builds its own section (`grids/`); a result that has not been computed
 * yet is named on the page with the command that computes it.
 * @module
 */
import { join, resolve } from "node:path";
import { readJson, writeFileAtomic } from "../core/atomic.ts";
import { sha256File } from "../core/hash.ts";
import { GRID_NAMES } from "../config/names.ts";
import { GRIDS } from "../grids/registry.ts";
import { reportHtml, type ReportSection } from "../reports/html.ts";
import { JUDGE_SECTION_TITLE, judgeSection } from "../reports/judge_section.ts";
import { answerExamplesSection } from "../reports/answer_examples.ts";
import { absentSection, type DraftSection, type SectionSource } from "../reports/paper.ts";
import { tableCsv, tableLatex, tableMarkdown } from "../reports/tables.ts";
import { type ClaimReports, claims } from "../reports/claims.ts";
import { claimsSection } from "../reports/claims_section.ts";
import { renderSvg } from "../reports/vega.ts";
import type { Manifest, StageSpec } from "../runs/stage.ts";

/** One source of the page: where it lives, what builds its section, the file read. */
interface Source extends SectionSource {
  title: string;
  file: string;
  build: (report: unknown, source: SectionSource) => DraftSection;
}

/** Every section's source, in page order: each grid, then the judges' agreement. */
function sources(): Record<string, Source> {
  const out: Record<string, Source> = {};
  for (const name of GRID_NAMES) {
    const grid = GRIDS[name];
    const { profile, title } = grid.paper;
    out[name] = {
      profile,
      path: `results/${profile}/experiments/${name}`,
      run: grid.paper.run ?? `experiment --profile ${profile} --grid ${name}`,
      title,
      file: "report.json",
      build: (r, s) => grid.section(r, s),
    };
  }
  out.judges = {
    profile: "smoke",
    path: "results/smoke/evaluate",
    run: "reproduce --profile smoke",
    title: JUDGE_SECTION_TITLE,
    file: "metrics.json",
    build: judgeSection,
  };
  out.answers = {
    profile: "smoke",
    path: "results/smoke/evaluate",
    run: "reproduce --profile smoke",
    title: "What EM looks like",
    file: "metrics.json",
    build: answerExamplesSection,
  };
  return out;
}

/** Where each source of the report lives, by name: profile, folder and the command that computes it. */
export const REPORT_SOURCES: Record<string, SectionSource> = Object.fromEntries(
  Object.entries(sources()).map(([k, s]) => [k, { profile: s.profile, path: s.path, run: s.run }]),
);

const reportFile = (s: Source) => `${s.path}/${s.file}`;

/** Tables and figures of the paper from the sources that exist under `root`. */
export async function paperSections(
  root: string,
): Promise<{ sections: DraftSection[]; missing: string[]; reports: Record<string, unknown> }> {
  const sections: DraftSection[] = [];
  const missing: string[] = [];
  const reports: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(sources())) {
    let report: unknown;
    try {
      report = await readJson(join(root, reportFile(s)));
    } catch {
      missing.push(name);
      sections.push(absentSection(s.title, s));
      continue;
    }
    reports[name] = report;
    sections.push(s.build(report, s));
  }
  return { sections, missing, reports };
}

/** The git folder of a checkout: `.git`, or the folder a worktree's `.git` file points at. */
async function gitDir(root: string): Promise<string> {
  const dotGit = join(root, ".git");
  if ((await Deno.stat(dotGit)).isDirectory) return dotGit;
  const pointer = /^gitdir:\s*(.+)$/m.exec(await Deno.readTextFile(dotGit));
  if (!pointer) throw new Error(`${dotGit} names no git folder`);
  return resolve(root, pointer[1].trim());
}

/** The commit checked out under `root`, read from git's files without running git; null outside a checkout. */
export async function gitCommit(root: string): Promise<string | null> {
  try {
    const dir = await gitDir(root);
    const head = (await Deno.readTextFile(join(dir, "HEAD"))).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    // A worktree keeps its branches in the main checkout's git folder.
    const common = await Deno.readTextFile(join(dir, "commondir")).then(
      (c) => resolve(dir, c.trim()),
      () => dir,
    );
    try {
      return (await Deno.readTextFile(join(common, ref))).trim();
    } catch {
      const packed = await Deno.readTextFile(join(common, "packed-refs"));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0] ?? null;
    }
  } catch {
    return null;
  }
}

/** The paper's claims, judged from the reports (`reports/claims.ts`), for scripts to read. */
export const CLAIMS_FILE = "results/claims.json";

/** The report stage's folder (its manifest is there), shared by every profile. */
export const REPORT_DIR = "results/report";

/** The report stage: reads what exists under `root`, writes `results/report/` and `results/report.html`. */
export function paperReportStage(root: string): StageSpec {
  const dir = REPORT_DIR;
  const files = Object.values(sources()).map(reportFile);
  return {
    name: "report",
    dir,
    config: { sources: REPORT_SOURCES },
    seeds: {},
    // Inputs are the sources that exist now; a missing one is named on the page.
    inputs: files.filter((p) => {
      try {
        Deno.statSync(join(root, p));
        return true;
      } catch {
        return false;
      }
    }),
    outputs: ["results/report.html", CLAIMS_FILE],
    code: import.meta.url,
    run: async () => {
      const { sections: paper, missing, reports } = await paperSections(root);
      const found = claims(reports as ClaimReports);
      const drafts = [claimsSection(found), ...paper];
      const written: string[] = [];
      const write = async (path: string, text: string) => {
        await writeFileAtomic(join(root, path), text);
        written.push(path);
      };
      const sections: ReportSection[] = [];
      for (const d of drafts) {
        for (const t of d.tables ?? []) {
          await write(`${dir}/tables/${t.id}.md`, tableMarkdown(t) + "\n");
          await write(`${dir}/tables/${t.id}.csv`, tableCsv(t));
          await write(`${dir}/tables/${t.id}.tex`, tableLatex(t) + "\n");
        }
        const figures = [];
        for (const f of d.figures) {
          const svg = await renderSvg(f.spec);
          await write(`${dir}/figures/${f.id}.svg`, svg);
          await write(`${dir}/figures/${f.id}.vl.json`, JSON.stringify(f.spec, null, 1) + "\n");
          figures.push({ id: f.id, caption: f.caption, svg });
        }
        sections.push({ ...d, figures });
      }
      const manifests: Record<string, unknown> = {};
      for (const [name, src] of Object.entries(REPORT_SOURCES)) {
        try {
          const m = await readJson<Manifest>(join(root, src.path, "manifest.json"));
          manifests[name] = {
            seeds: m.seeds,
            backend: m.backend.name,
            adapter: m.backend.adapter,
            code: m.codeHash.slice(0, 12),
          };
        } catch {
          // Missing sources are listed on the page already.
        }
      }
      const provenance = {
        commit: await gitCommit(root) ?? "unknown (not a git checkout)",
        "deno.lock sha256": await sha256File(join(root, "deno.lock")).catch(() => "missing"),
        "not computed": missing.length ? missing.join(", ") : "none",
        ...Object.fromEntries(
          Object.entries(manifests).map(([k, v]) => [`${k}: seeds, backend, adapter, code`, v]),
        ),
      };
      await write(CLAIMS_FILE, JSON.stringify({ claims: found }, null, 1) + "\n");
      await write(
        "results/report.html",
        reportHtml("BLOCK-EM reproduced on the blockem model organism", sections, provenance),
      );
      return written;
    },
  };
}
