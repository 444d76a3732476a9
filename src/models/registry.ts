/**
 * Every model architecture, by name. Adding a family is one folder
 * implementing `Architecture` and one line here.
 * @module
 */
import type { Architecture, ModelConfig } from "./architecture.ts";
import { ORGANISM } from "./organism/transformer.ts";

/** The registered architectures; names are unique. */
export const ARCHITECTURES: ReadonlyMap<string, Architecture> = register([
  ORGANISM,
]);

/** The architecture a config names (absent: the organism). */
export function architectureOf(cfg: ModelConfig): Architecture {
  const name = cfg.architecture ?? "organism";
  const arch = ARCHITECTURES.get(name);
  if (!arch) {
    throw new RangeError(
      `Unknown model architecture '${name}' (known: ${[...ARCHITECTURES.keys()].join(", ")})`,
    );
  }
  return arch;
}

function register(list: readonly Architecture[]): Map<string, Architecture> {
  const out = new Map<string, Architecture>();
  for (const a of list) {
    if (out.has(a.name)) throw new Error(`Architecture '${a.name}' is registered twice`);
    out.set(a.name, a);
  }
  return out;
}
