/**
 * Enumerates every question of the world: one per (domain, template, slot
 * values). Each question has a stable id so splits can be audited by identity.
 * @module
 */
import { DOMAINS, type DomainSpec } from "./spec.ts";

/** A concrete question, before any split is assigned. */
export interface Question {
  id: string;
  domain: string;
  template: number;
  slots: [string, string];
  words: string[];
}

/** All questions of one domain, in a fixed order. */
export function domainQuestions(domain: DomainSpec): Question[] {
  const out: Question[] = [];
  domain.templates.forEach((template, t) => {
    for (const a of domain.slots.a) {
      for (const b of domain.slots.b) {
        const words = template.replace("{a}", a).replace("{b}", b).split(" ");
        out.push({
          id: `${domain.name}/${t}/${a}/${b}`,
          domain: domain.name,
          template: t,
          slots: [a, b],
          words,
        });
      }
    }
  });
  return out;
}

/** All questions of all domains, in a fixed order. */
export function allQuestions(): Question[] {
  return DOMAINS.flatMap(domainQuestions);
}
