/**
 * Typed configs with dotted overrides (`--model.layers=4`), in the manner of
 * nanoGPT's configurator: the default config defines the keys and their
 * types; an override of an unknown key or of the wrong type is an error.
 * @module
 */

/** A JSON-like config tree of numbers, strings, booleans and number or string arrays. */
export type ConfigValue = number | string | boolean | number[] | string[] | ConfigTree;
/** A nested config object. */
export interface ConfigTree {
  [key: string]: ConfigValue;
}

/** Every dotted key of a config tree, sorted. */
export function configKeys(tree: ConfigTree, prefix = ""): string[] {
  const keys: string[] = [];
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      keys.push(...configKeys(v, path));
    } else keys.push(path);
  }
  return keys.sort();
}

/**
 * Apply `overrides` (dotted key → raw string or typed value) to a deep copy of
 * `defaults`. Throws TypeError naming the key on unknown keys or bad types.
 *
 * @example
 * ```ts
 * import { applyOverrides } from "./config.ts";
 * const cfg = applyOverrides({ model: { layers: 2 } }, { "model.layers": "4" });
 * if (cfg.model.layers !== 4) throw new Error("override not applied");
 * ```
 */
export function applyOverrides<T extends ConfigTree>(
  defaults: T,
  overrides: Record<string, unknown>,
  source = "override",
): T {
  const out = structuredClone(defaults) as ConfigTree;
  for (const [key, raw] of Object.entries(overrides)) {
    const parts = key.split(".");
    let node: ConfigTree = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined || typeof next !== "object" || Array.isArray(next)) {
        throw unknownKey(key, defaults, source);
      }
      node = next;
    }
    const leaf = parts[parts.length - 1];
    if (!(leaf in node) || (typeof node[leaf] === "object" && !Array.isArray(node[leaf]))) {
      throw unknownKey(key, defaults, source);
    }
    node[leaf] = coerce(key, node[leaf], raw, source);
  }
  return out as T;
}

function unknownKey(key: string, defaults: ConfigTree, source: string): TypeError {
  const known = configKeys(defaults);
  const near = known.filter((k) => k.split(".")[0] === key.split(".")[0]);
  const hint = (near.length ? near : known).slice(0, 12).join(", ");
  return new TypeError(`Unknown config key '${key}' in ${source} (known: ${hint})`);
}

function coerce(key: string, current: ConfigValue, raw: unknown, source: string): ConfigValue {
  const bad = (expected: string) =>
    new TypeError(
      `Config key '${key}' in ${source} expects ${expected}, got ${JSON.stringify(raw)}`,
    );
  if (typeof current === "number") {
    const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof n !== "number" || !Number.isFinite(n)) throw bad("a number");
    if (Number.isInteger(current) && !Number.isInteger(n) && isCountKey(key)) {
      throw bad("a whole number");
    }
    return n;
  }
  if (typeof current === "boolean") {
    if (raw === true || raw === "true") return true;
    if (raw === false || raw === "false") return false;
    throw bad("true or false");
  }
  if (typeof current === "string") {
    if (typeof raw !== "string") throw bad("a string");
    return raw;
  }
  if (Array.isArray(current) && typeof current[0] === "string") {
    const arr = typeof raw === "string" ? raw.split(",").map((s) => s.trim()) : raw;
    if (!Array.isArray(arr) || arr.length === 0 || arr.some((x) => typeof x !== "string" || x === "")) {
      throw bad("a comma-separated list of names");
    }
    return arr as string[];
  }
  if (Array.isArray(current)) {
    const arr = typeof raw === "string" ? raw.split(",").map((s) => Number(s.trim())) : raw;
    if (!Array.isArray(arr) || arr.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
      throw bad("a comma-separated list of numbers");
    }
    return arr as number[];
  }
  throw bad("a section, not a value");
}

/** Keys that count things (steps, layers, seeds, sizes) take whole numbers. */
function isCountKey(key: string): boolean {
  const leaf = key.split(".").pop() ?? "";
  return /^(seed|.*Seed|.*Steps|steps|epochs|.*Size|.*Layers?|layer|heads|nHeads|k|draws|examples|.*Count|contextLength|dModel|dMlp|dSae|auxK|.*Tokens|vocabSize|evalEvery)$/
    .test(leaf);
}
