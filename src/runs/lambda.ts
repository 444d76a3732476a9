/**
 * λ of the blocked conditions of a base seed: fixed by `block.lambda`, or
 * chosen on the selection split by the `select` stage.
 * @module
 */
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import { SELECTION_FILE } from "./file_schemas.ts";
import { type RunKey, runPaths } from "./paths.ts";
import type { Run } from "./run.ts";

/** The files λ is read from (none when it is fixed). */
export function lambdaInputs(run: Run, key: RunKey): string[] {
  return run.config.block.selectLambda ? [runPaths(run.profile, key).selection] : [];
}

/** λ for the base seed of `key`. */
export async function resolvedLambda(run: Run, key: RunKey): Promise<number> {
  if (!run.config.block.selectLambda) return run.config.block.lambda;
  return (await readJsonValidated(join(run.root, runPaths(run.profile, key).selection), SELECTION_FILE))
    .chosenLambda;
}
