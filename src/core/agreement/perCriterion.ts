/**
 * @module Agreement per rubric criterion over the current labels: Cohen's kappa for every pair of annotators,
 * Krippendorff's alpha (nominal) across all of them, and the items where annotators disagree, which the
 * criterion's owner adjudicates.
 */
import {cohenKappa, type KappaResult} from "./kappa.js";
import {krippendorffAlpha, type AlphaResult} from "./alpha.js";

export interface RatedLabel {
  traceId: string;
  criterion: string;
  annotator: string;
  /** The rating compared: pass/fail, a category or a number. */
  value: string | number | boolean | null;
}

export interface CriterionAgreement {
  criterion: string;
  annotators: string[];
  items: number;
  alpha: AlphaResult;
  pairs: {a: string; b: string; kappa: KappaResult}[];
  /** Items rated by two or more annotators who did not all give the same value. */
  disagreements: {traceId: string; ratings: {annotator: string; value: string | number | boolean}[]}[];
}

/** When an annotator rated the same item twice, the later label (later in `labels`) counts. */
export function agreementByCriterion(labels: readonly RatedLabel[]): CriterionAgreement[] {
  const byCriterion = new Map<string, Map<string, Map<string, string | number | boolean>>>();
  for (const label of labels) {
    if (label.value === null) continue;
    let items = byCriterion.get(label.criterion);
    if (!items) byCriterion.set(label.criterion, (items = new Map()));
    let ratings = items.get(label.traceId);
    if (!ratings) items.set(label.traceId, (ratings = new Map()));
    ratings.set(label.annotator, label.value);
  }
  return [...byCriterion]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([criterion, items]) => {
      const annotators = [...new Set([...items.values()].flatMap((r) => [...r.keys()]))].sort();
      const ids = [...items.keys()].sort();
      const matrix = ids.map((id) => annotators.map((a) => items.get(id)!.get(a) ?? null));
      const pairs: CriterionAgreement["pairs"] = [];
      for (let i = 0; i < annotators.length; ++i) {
        for (let j = i + 1; j < annotators.length; ++j) {
          pairs.push({
            a: annotators[i]!,
            b: annotators[j]!,
            kappa: cohenKappa(
              matrix.map((r) => r[i]!),
              matrix.map((r) => r[j]!)
            )
          });
        }
      }
      const disagreements = ids.flatMap((traceId) => {
        const ratings = [...items.get(traceId)!].map(([annotator, value]) => ({annotator, value}));
        return ratings.length >= 2 && new Set(ratings.map((r) => String(r.value))).size > 1 ? [{traceId, ratings}] : [];
      });
      return {criterion, annotators, items: ids.length, alpha: krippendorffAlpha(matrix), pairs, disagreements};
    });
}
