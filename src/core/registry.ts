/**
 * Registries of named parts (methods, judges, model architectures), in the
 * manner of SAELens's `register_sae_class`: one list, names unique.
 * @module
 */

/** The parts by name, in the given order; a name listed twice is an error naming the kind and the name. */
export function registry<T extends { readonly name: string }>(
  kind: string,
  parts: readonly T[],
): Map<string, T> {
  const out = new Map<string, T>();
  for (const p of parts) {
    if (out.has(p.name)) throw new Error(`${kind} '${p.name}' is registered twice`);
    out.set(p.name, p);
  }
  return out;
}

/** The part called `name`; an unknown name is an error listing the known ones. */
export function lookup<T>(kind: string, parts: ReadonlyMap<string, T>, name: string): T {
  const p = parts.get(name);
  if (!p) throw new RangeError(`Unknown ${kind} '${name}' (known: ${[...parts.keys()].join(", ")})`);
  return p;
}
