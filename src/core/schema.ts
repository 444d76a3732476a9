/**
 * Validation of configs and of every file a stage reads, with valibot: the
 * only module that imports it. A failure is one line naming the file or key,
 * what was expected and what was found.
 * @module
 */
import * as v from "valibot";

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
  const got = JSON.stringify(issue.input)?.slice(0, 60);
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
