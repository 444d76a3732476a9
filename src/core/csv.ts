/**
 * CSV reading and writing. Stand-in for `@std/csv` (JSR is unreachable
 * here): switching back is an edit to this file only.
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";

/** Rows of objects to CSV text with a header row in `columns` order; an undefined number is an empty cell. */
export function toCsv(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): string {
  const defined = rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? "" : v]),
    )
  );
  return stringify(defined, {
    header: true,
    columns: [...columns],
  });
}

/** CSV text with a header row to objects of strings. */
export function fromCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true });
}
