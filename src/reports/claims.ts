/**
 * The paper's claims, one entry each, with the values measured in the
 * recorded reports, the rule that decides, and the verdict: the claims table
 * of results/README.md as data (`results/claims.json`), computed from the
 * reports and never typed by hand. Where each rule comes from is in
 * `claim_rules.ts`.
 * @module
 */
import type { Claim, ClaimReports } from "./claim_rules.ts";
import {
  adherence,
  baselines,
  broadEm,
  coherence,
  encoderReadout,
  finalLayer,
  randomControl,
  reduction,
  signs,
  smallK,
} from "./claims_grids.ts";
import { fixRestores, reemergence, rerouting } from "./claims_reroute.ts";

export type { Claim, ClaimReports, ClaimVerdict } from "./claim_rules.ts";

/** Every claim, in the order of the paper. */
export function claims(reports: ClaimReports): Claim[] {
  return [
    broadEm(reports),
    reduction(reports),
    encoderReadout(reports),
    adherence(reports),
    coherence(reports),
    randomControl(reports),
    finalLayer(reports),
    signs(reports),
    smallK(reports),
    baselines(reports),
    reemergence(reports),
    fixRestores(reports),
    rerouting(reports),
  ];
}
