/**
 * Every model architecture, by name. Adding a family is one folder
 * implementing `Architecture` and one line here.
 * @module
 */
import { lookup, registry } from "../core/registry.ts";
import type { Architecture, ModelConfig } from "./architecture.ts";
import { ORGANISM } from "./organism/transformer.ts";

/** The registered architectures; names are unique. */
export const ARCHITECTURES: ReadonlyMap<string, Architecture> = registry("Architecture", [
  ORGANISM,
]);

/** The architecture a config names (absent: the organism). */
export function architectureOf(cfg: ModelConfig): Architecture {
  return lookup("model architecture", ARCHITECTURES, cfg.architecture ?? "organism");
}
