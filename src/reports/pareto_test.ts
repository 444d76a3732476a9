import { assertEquals } from "../core/assert.ts";
import { dominance, dominanceText, type OperatingPoint } from "./pareto.ts";

const point = (
  method: string,
  strength: number | null,
  reduction: number,
  adherence: number,
): OperatingPoint => ({
  method,
  strength,
  reduction,
  adherence,
});

Deno.test("pareto: a baseline is dominated when a BLOCK strength matches each of its points on both axes", () => {
  const points = [
    point("block", 0.01, 0.4, 0.96),
    point("block", 0.03, 0.57, 0.92),
    point("block", 0.1, 0.68, 0.84),
    point("kl", 0.1, 0.38, 0.9), // under λ 0.01
    point("kl", 1, 0.6, 0.5), // under λ 0.1
    point("ldifs", 0.03, 0.66, 0.96), // more reduction than λ 0.01 at its adherence: escapes
    point("ldifs", 1, 0.5, 0.6),
    point("caft", null, 0.94, 0.22), // more reduction than any BLOCK strength: escapes
  ];
  const found = dominance(points);
  assertEquals(found.map((d) => [d.method, d.dominated]), [["kl", true], ["ldifs", false], ["caft", false]]);
  assertEquals(found[1].escaping, [point("ldifs", 0.03, 0.66, 0.96)]);
  assertEquals(
    dominanceText(found)[1],
    "BLOCK's curve does not dominate ldifs: strength 0.03: reduction 0.660 at adherence 0.960 beat every BLOCK strength on at least one axis.",
  );
  // Ties count as matched.
  assertEquals(dominance([point("block", 1, 0.5, 0.9), point("kl", 1, 0.5, 0.9)])[0].dominated, true);
  // Naive is BLOCK at λ = 0: a baseline that keeps adherence only by doing nothing is matched by it.
  const freeze = [point("block", 1, 0.5, 0.9), point("freeze", null, -0.05, 0.95)];
  assertEquals(dominance(freeze)[0].dominated, false);
  assertEquals(dominance([...freeze, point("naive", null, 0, 0.98)]).map((d) => [d.method, d.dominated]), [
    ["freeze", true],
  ]);
});
