/**
 * The paper page's sections before rendering: tables, figures as Vega-Lite
 * specs, and notes. Each grid builds its own section (`grids/`), the judge
 * agreement section is `judge_section.ts`; `pipeline/report.ts` renders
 * and writes them.
 * @module
 */
import type { ReportSection } from "./html.ts";
import type { Table } from "./tables.ts";
import type { FigureSpec } from "./vega.ts";
import { settingsText } from "./grid_report.ts";

/** A figure before rendering. */
export interface FigureDraft {
  id: string;
  caption: string;
  spec: FigureSpec;
}

/** A page section whose figures are still specs. */
export type DraftSection = Omit<ReportSection, "figures"> & { figures: FigureDraft[] };

/** Where a section's numbers come from, and the command that computes them. */
export interface SectionSource {
  /** The profile whose results it reads. */
  profile: string;
  /** Its folder under the project root. */
  path: string;
  /** The `deno task` command (without `deno task`) that computes it. */
  run: string;
}

/** What a section shows once its source is read. */
export interface SectionContent {
  tables: Table[];
  figures: FigureDraft[];
}

/** A computed section: its tables and figures, with its source named. */
export function presentSection(title: string, source: SectionSource, content: SectionContent): DraftSection {
  return {
    title,
    notes: [`Source: ${source.path}/ (profile ${source.profile}).`],
    tables: content.tables,
    figures: content.figures,
  };
}

/** A section whose source is not computed yet: it names the command that computes it. */
export function absentSection(title: string, source: SectionSource): DraftSection {
  return { title, notes: [`Not computed yet: run \`deno task ${source.run}\`.`], figures: [] };
}

/** A row's settings as `k=v …` (the curve spacing left out), or "–"; λ per base model when they chose differently. */
export function settingsLabel(p: Record<string, number>, lambdas?: Record<string, number>): string {
  return settingsText(p, lambdas, ["curveEvery"]);
}
