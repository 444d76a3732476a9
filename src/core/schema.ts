/**
 * Validation of configs and of every file a stage reads, with valibot: the
 * only module that imports it. A failure is one line naming the file or key,
 * what was expected and what was found.
 * @module
 */
import * as v from "valibot";
import { shown } from "./config.ts";

export { v };

/** Any valibot schema. */
export type Schema<T> = v.GenericSchema<unknown, T>;

/** `value` checked against `schema`, or a TypeError naming `where` and the first problem's key. */
export function validate<T>(schema: Schema<T>, value: unknown, where: string): T {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = v.getDotPath(issue);
  const at = `${where}${key ? `: '${key}'` : ""}`;
  if (issue.input === undefined) throw new TypeError(`${at} is missing`);
  const got = shown(issue.input);
  throw new TypeError(
    issue.expected ? `${at} expects ${issue.expected}, got ${got}` : `${at}: ${issue.message}`,
  );
}

/** Read JSON from `path` and validate it; a missing, unparsable or invalid file is one error naming it. */
export async function readJsonValidated<T>(path: string, schema: Schema<T>): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error(`Missing file ${path}`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`Corrupt JSON in ${path}: ${(err as Error).message}`);
  }
  return validate(schema, value, path);
}

/** Common pieces. */
export const int = (min = 0) => v.pipe(v.number(), v.integer(), v.minValue(min));
export const num = (min = -Infinity, max = Infinity) =>
  v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
export const positive = () => v.pipe(v.number(), v.finite(), v.gtValue(0));
export const sha256Hex = () => v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

/** Largest seed: seeds are 32-bit (the generators take them modulo 2³², so larger ones would alias). */
export const MAX_SEED = 2 ** 32 - 1;

/** A seed: a whole number in 0…2³²−1. */
export const seed = () => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_SEED));

/** A whole number in min…max. */
export const intIn = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** What a dotted key of an object schema holds, for parsing its value from text; null for an unknown key. */
export function leafKind(
  schema: Schema<unknown>,
  key: string,
): { type: "number" | "integer" | "boolean" | "string"; list: boolean } | null {
  type Node = { type: string; entries?: Record<string, Node>; item?: Node; pipe?: { type: string }[] };
  let node = schema as unknown as Node;
  for (const part of key.split(".")) {
    if (!node.entries || !Object.hasOwn(node.entries, part)) return null;
    node = node.entries[part];
  }
  const list = node.type === "array";
  const leaf = list ? node.item! : node;
  const integer = leaf.pipe?.some((a) => a.type === "integer") ?? false;
  switch (leaf.type) {
    case "number":
      return { type: integer ? "integer" : "number", list };
    case "boolean":
      return { type: "boolean", list };
    case "string":
    case "picklist":
      return { type: "string", list };
    default:
      return null;
  }
}
