/**
 * The paper page's judge agreement section, from the smoke profile's
 * evaluation: EM of each condition under every registered judge, and each
 * compared sample judge's Cohen's κ against the reference one.
 * @module
 */
import { comparedJudges, JUDGES, kappaKey, sampleJudges } from "../judges/registry.ts";
import { judgeAgreement, type JudgePoint } from "./figures.ts";
import { type DraftSection, presentSection, type SectionSource } from "./paper.ts";
import type { Estimate } from "./tables.ts";
import { isIncoherent, leftOutNote, unlessIncoherent } from "./incoherent.ts";

/** The evaluation's metrics as this section reads them. */
interface JudgeMetrics {
  domains: {
    domain: string;
    conditions: ({
      name: string;
      judges: Record<string, { em: Estimate; incoherence?: Estimate }>;
    } & Record<string, unknown>)[];
  }[];
}

const COUNT = ["no", "one", "two", "three", "four", "five", "six"];

/** The section's title. */
export const JUDGE_SECTION_TITLE = "Judge agreement";

/** The judge agreement section from `metrics.json`. */
export function judgeSection(metrics: unknown, source: SectionSource): DraftSection {
  const d = (metrics as JudgeMetrics).domains[0];
  const title = (name: string) => JUDGES.find((j) => j.name === name)?.title ?? name;
  const reference = sampleJudges()[0]?.name ?? "";
  const compared = comparedJudges().map((j) => j.name);
  const kappaColumn = (name: string, i: number) => (i === 0 ? "kappa" : `kappa-${name}`);
  // A judge that calls a model mostly incoherent gives it no EM to show or plot.
  const incoherent = (m: { incoherence?: Estimate }) => isIncoherent(m.incoherence?.mean ?? 0);
  const points: JudgePoint[] = d.conditions.flatMap((c) =>
    Object.entries(c.judges).filter(([, m]) => !incoherent(m)).map(([judge, m]) => ({
      condition: c.name,
      judge: title(judge),
      em: m.em,
    }))
  );
  const leftOut = d.conditions.flatMap((c) =>
    Object.entries(c.judges).filter(([, m]) => incoherent(m)).map(([judge]) => `${c.name} (${title(judge)})`)
  );
  return presentSection(JUDGE_SECTION_TITLE, source, {
    tables: [{
      id: "judges",
      caption: `EM under each judge (${d.domain} fine-tune), and Cohen's κ of the ${
        compared.join(", ")
      } judge against the ${reference} on sampled answers`,
      columns: [
        { key: "condition", label: "condition" },
        ...JUDGES.map((j) => ({ key: j.name, label: j.title })),
        ...compared.map((name, i) => ({ key: kappaColumn(name, i), label: `κ ${name} vs ${reference}` })),
      ],
      rows: d.conditions.map((c) => ({
        condition: c.name,
        ...Object.fromEntries(
          JUDGES.map((j) => {
            const m = c.judges[j.name];
            return [j.name, m ? unlessIncoherent(m.incoherence?.mean ?? 0, m.em) : null];
          }),
        ),
        ...Object.fromEntries(
          compared.map((name, i) => [kappaColumn(name, i), (c[kappaKey(name)] ?? null) as number | null]),
        ),
      })),
    }],
    figures: [{
      id: "judges",
      caption: `EM of each condition under the ${COUNT[JUDGES.length] ?? JUDGES.length} judges`,
      spec: judgeAgreement(
        points,
        `Judge agreement (smoke profile, ${d.domain})`,
        `error bars: bootstrap 95% CI${leftOutNote(leftOut)}`,
      ),
    }],
  });
}
