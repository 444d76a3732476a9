/**
 * Command-line parsing. Stand-in for `@std/cli` (JSR is unreachable here):
 * switching back is an edit to this file only.
 * @module
 */
import { parseArgs as nodeParseArgs } from "node:util";

/** Flags every task accepts, plus dotted config overrides (`--model.layers=4`). */
export interface ParsedArgs {
  flags: Record<string, string | boolean>;
  overrides: Record<string, string>;
  positionals: string[];
}

/**
 * Parse argv. `known` lists the plain flags a task accepts: each maps to
 * "string" or "boolean". Any `--a.b=value` becomes a config override; any
 * other unknown flag is an error.
 */
export function parseArgs(
  argv: readonly string[],
  known: Record<string, "string" | "boolean">,
): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const [name, type] of Object.entries(known)) options[name] = { type };
  const { values, positionals } = nodeParseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
  });
  const flags: Record<string, string | boolean> = {};
  const overrides: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const v = value as string | boolean;
    if (key in known) {
      if (known[key] === "string" && typeof v !== "string") {
        throw new TypeError(`Flag --${key} needs a value`);
      }
      flags[key] = v;
    } else if (key.includes(".")) {
      if (typeof v !== "string") {
        throw new TypeError(`Override --${key} needs a value, as --${key}=VALUE`);
      }
      overrides[key] = v;
    } else {
      throw new TypeError(
        `Unknown flag --${key} (known: ${
          Object.keys(known).map((k) => "--" + k).join(", ")
        }, or --section.key=value)`,
      );
    }
  }
  return { flags, overrides, positionals };
}
