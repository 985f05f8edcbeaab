/**
 * @module Three-class agreement in an imported judgment set: each judge against the human majority, and each
 * pair of annotators with each other (Cohen's kappa), as the sets' own papers report them.
 */
import {multiAgreement, multiConfusion, type MultiAgreement, type MultiConfusion} from "./multiclass.js";

/**
 * The classes a pairwise preference takes: the first output is better, the second is, or neither. Defined here,
 * not beside the zod schemas, so that pages importing this module do not load zod, whose feature test for
 * `new Function` is reported as a violation under the site's strict Content-Security-Policy.
 */
export const PREFERENCE_CLASSES = ["1", "2", "tie"] as const;
export type PreferenceClass = (typeof PREFERENCE_CLASSES)[number];

export interface ClassRow {
  itemId: string;
  rater: string;
  kind: string;
  label: string | null;
}

export interface JudgmentSetStats {
  items: number;
  /** Items with a human majority class. */
  withMajority: number;
  judges: {rater: string; matrix: MultiConfusion; agreement: MultiAgreement}[];
  annotatorPairs: {a: string; b: string; agreement: MultiAgreement}[];
}

export function judgmentSetStats(rows: readonly ClassRow[]): JudgmentSetStats {
  // Only the classes the set uses: a set without ties (LLMBar) is a two-class problem, and a tie class nobody
  // chose would leave every macro average undefined.
  const used = new Set(rows.map((r) => r.label));
  const classes = (PREFERENCE_CLASSES as readonly string[]).filter((c) => used.has(c));
  const items = new Map<string, Map<string, string | null>>();
  const humans = new Set<string>();
  const judges = new Set<string>();
  for (const r of rows) {
    let m = items.get(r.itemId);
    if (!m) items.set(r.itemId, (m = new Map()));
    m.set(r.rater, r.label);
    (r.kind === "human" ? humans : judges).add(r.rater);
  }
  const majority = new Map<string, string>();
  for (const [itemId, labels] of items) {
    const counts = new Map<string, number>();
    let n = 0;
    for (const h of humans) {
      const l = labels.get(h);
      if (l == null) continue;
      n++;
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (top && top[1] * 2 > n) majority.set(itemId, top[0]);
  }
  const pairsFor = (rater: string, reference: (itemId: string) => string | undefined) => {
    const pairs: {reference: string; rater: string}[] = [];
    for (const [itemId, labels] of items) {
      const ref = reference(itemId);
      const mine = labels.get(rater);
      if (ref !== undefined && mine != null && classes.includes(ref) && classes.includes(mine))
        pairs.push({reference: ref, rater: mine});
    }
    return pairs;
  };
  const judgeStats = [...judges].sort().map((rater) => {
    const matrix = multiConfusion(
      pairsFor(rater, (id) => majority.get(id)),
      classes
    );
    return {rater, matrix, agreement: multiAgreement(matrix)};
  });
  const humanList = [...humans].sort();
  const annotatorPairs: JudgmentSetStats["annotatorPairs"] = [];
  for (let i = 0; i < humanList.length; i++) {
    for (let j = i + 1; j < humanList.length; j++) {
      const a = humanList[i]!;
      const b = humanList[j]!;
      const matrix = multiConfusion(
        pairsFor(b, (id) => items.get(id)?.get(a) ?? undefined),
        classes
      );
      annotatorPairs.push({a, b, agreement: multiAgreement(matrix)});
    }
  }
  return {items: items.size, withMajority: majority.size, judges: judgeStats, annotatorPairs};
}
