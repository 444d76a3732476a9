/**
 * λ of the blocked conditions of a base seed: fixed by `block.lambda`, or
 * chosen on the selection split by the `select` stage; for the readout other
 * than the run's own (`block.compareReadouts`), always chosen, by its
 * `select-<readout>` stage.
 * @module
 */
import { join } from "node:path";
import { readJsonValidated } from "../core/schema.ts";
import { SELECTION_FILE } from "./file_schemas.ts";
import { type RunKey, runPaths } from "./paths.ts";
import type { Readout } from "./readouts.ts";
import type { Run } from "./run.ts";

/** Where λ of `readout` is chosen for the base seed of `key`; null when it is fixed by `block.lambda`. */
function selectionFile(run: Run, key: RunKey, readout: Readout): string | null {
  const paths = runPaths(run.profile, key);
  if (readout !== run.config.block.readout) return paths.selectionReadout(readout);
  return run.config.block.selectLambda ? paths.selection : null;
}

/** The files λ is read from (none when it is fixed). */
export function lambdaInputs(run: Run, key: RunKey, readout: Readout = run.config.block.readout): string[] {
  const file = selectionFile(run, key, readout);
  return file ? [file] : [];
}

/** λ of `readout` (the run's own by default) for the base seed of `key`. */
export async function resolvedLambda(
  run: Run,
  key: RunKey,
  readout: Readout = run.config.block.readout,
): Promise<number> {
  const file = selectionFile(run, key, readout);
  if (!file) return run.config.block.lambda;
  return (await readJsonValidated(join(run.root, file), SELECTION_FILE)).chosenLambda;
}
