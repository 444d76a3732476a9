/**
 * Typed configs with dotted overrides (`--model.layers=4`), in the manner of
 * nanoGPT's configurator: the default config defines the keys; a value's
 * type comes from the config's schema where one is given (`kindOf`), else
 * from the default. An override of an unknown key, of the wrong type, with
 * an empty list item, or that is not a plain number is an error naming the
 * key; nothing is coerced silently.
 * @module
 */

/** A JSON-like config tree of numbers, strings, booleans and number or string arrays. */
export type ConfigValue = number | string | boolean | number[] | string[] | ConfigTree;
/** A nested config object. */
export interface ConfigTree {
  [key: string]: ConfigValue;
}

/** What a config key holds: a scalar type, or a list of one. */
export interface ValueKind {
  type: "number" | "integer" | "boolean" | "string";
  list: boolean;
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

/** At most `max` characters of a value for an error line, saying how long it was when cut. */
export function shown(raw: unknown, max = 60): string {
  const text = typeof raw === "string" ? JSON.stringify(raw) : String(JSON.stringify(raw));
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * Apply `overrides` (dotted key → raw string or typed value) to a deep copy of
 * `defaults`. `kindOf` gives each key's type (from a schema); without it the
 * default's value decides. Throws TypeError naming the key on unknown keys,
 * bad types, empty list items and values that are not plain numbers.
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
  kindOf?: (key: string) => ValueKind | null,
): T {
  const out = structuredClone(defaults) as ConfigTree;
  for (const [key, raw] of Object.entries(overrides)) {
    const parts = key.split(".");
    let node: ConfigTree = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (next === undefined || typeof next !== "object" || Array.isArray(next)) {
        throw unknownKey(key, defaults, source);
      }
      node = next;
    }
    const leaf = parts[parts.length - 1];
    if (!Object.hasOwn(node, leaf) || (typeof node[leaf] === "object" && !Array.isArray(node[leaf]))) {
      throw unknownKey(key, defaults, source);
    }
    const kind = kindOf?.(key) ?? kindOfValue(key, node[leaf]);
    node[leaf] = coerce(key, kind, raw, source);
  }
  return out as T;
}

function unknownKey(key: string, defaults: ConfigTree, source: string): TypeError {
  const known = configKeys(defaults);
  const near = known.filter((k) => k.split(".")[0] === key.split(".")[0]);
  const hint = (near.length ? near : known).slice(0, 12).join(", ");
  return new TypeError(`Unknown config key ${shown(key)} in ${source} (known: ${hint})`);
}

/** A key's kind as its default shows it (lists of numbers take numbers; counts take whole numbers). */
function kindOfValue(key: string, current: ConfigValue): ValueKind {
  const list = Array.isArray(current);
  const sample = list ? (current as unknown[])[0] : current;
  if (typeof sample === "string") return { type: "string", list };
  if (typeof sample === "boolean") return { type: "boolean", list };
  const whole = typeof sample === "number" && Number.isInteger(sample) && isCountKey(key);
  return { type: whole ? "integer" : "number", list };
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function coerce(key: string, kind: ValueKind, raw: unknown, source: string): ConfigValue {
  const bad = (expected: string) =>
    new TypeError(`Config key '${key}' in ${source} expects ${expected}, got ${shown(raw)}`);
  const one = (x: unknown, what: string): number | string | boolean => {
    if (kind.type === "boolean") {
      if (x === true || x === "true") return true;
      if (x === false || x === "false") return false;
      throw bad(`${what}true or false`);
    }
    if (kind.type === "string") {
      if (typeof x !== "string" || x === "") throw bad(`${what}a non-empty name`);
      return x;
    }
    const n = typeof x === "string" && PLAIN_NUMBER.test(x.trim()) ? Number(x) : x;
    if (typeof n !== "number" || !Number.isFinite(n)) throw bad(`${what}a number`);
    if (kind.type === "integer" && !Number.isSafeInteger(n)) throw bad(`${what}a whole number`);
    return n;
  };
  if (!kind.list) return one(raw, "");
  const items = typeof raw === "string"
    ? (raw.trim() === "" ? [] : raw.split(",").map((s) => s.trim()))
    : raw;
  if (!Array.isArray(items)) throw bad("a comma-separated list");
  if (items.some((x) => x === "")) throw bad("a comma-separated list without empty items");
  return items.map((x) => one(x, "a list of ")) as number[] | string[];
}

/** Keys that count things (steps, layers, seeds, sizes) take whole numbers. */
function isCountKey(key: string): boolean {
  const leaf = key.split(".").pop() ?? "";
  return /^(seed|.*Seed|.*Steps|steps|epochs|.*Size|.*Layers?|layer|heads|nHeads|k|draws|examples|.*Count|contextLength|dModel|dMlp|dSae|auxK|.*Tokens|vocabSize|evalEvery)$/
    .test(leaf);
}
