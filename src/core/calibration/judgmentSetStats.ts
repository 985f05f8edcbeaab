/**
 * @module Agreement in an imported judgment set, as the sets' own papers report it: each judge against the human
 * majority over every class, each pair of annotators (Cohen's kappa) and all of them at once (Fleiss' kappa,
 * Krippendorff's alpha), and, for a judge run in both presentation orders, how often the two orders agree.
 *
 * A judge's answer that could not be read (a null label) follows the source's own rule, `nullAs`: "wrong" keeps
 * the item in n as a disagreement (LLMBar's scorer), "missing" leaves it out, "tie" counts it as a tie (PandaLM's
 * rule; in a set without a tie class it counts as wrong).
 */
import {krippendorffAlpha} from "../agreement/alpha.js";
import {fleissKappa} from "../agreement/fleiss.js";
import {defined, undefinedBecause, type Metric} from "./metric.js";
import {multiAgreement, multiConfusion, type MultiAgreement, type MultiConfusion} from "./multiclass.js";

/**
 * The classes a pairwise preference takes: the first output is better, the second is, or neither. Defined here,
 * not beside the zod schemas, so that pages importing this module do not load zod, whose feature test for
 * `new Function` is reported as a violation under the site's strict Content-Security-Policy.
 */
export const PREFERENCE_CLASSES = ["1", "2", "tie"] as const;
export type PreferenceClass = (typeof PREFERENCE_CLASSES)[number];

/** How a judge's unreadable (null) answer counts: against the judge, or not at all. */
export const NULL_RULES = ["wrong", "missing", "tie"] as const;
export type NullRule = (typeof NULL_RULES)[number];

/** A rater named with this suffix is the same judge as the rater without it, shown the two outputs swapped. */
export const SWAPPED_SUFFIX = "/swapped";

export interface ClassRow {
  itemId: string;
  rater: string;
  kind: string;
  label: string | null;
}

export interface JudgeStats {
  rater: string;
  matrix: MultiConfusion;
  agreement: MultiAgreement;
  /** Items with a human majority on which the judge gave no readable answer, whatever the rule counts them as. */
  unreadable: number;
}

export interface OrderAgreement {
  /** The judge shown output 1 first, and the same judge shown output 2 first. */
  rater: string;
  swapped: string;
  n: number;
  /** The share of items on which both orders give the same answer. */
  agreement: Metric;
  /** Cohen's kappa between the two orders. */
  kappa: Metric;
}

export interface JudgmentSetStats {
  items: number;
  /** Items with a human majority class. */
  withMajority: number;
  nullAs: NullRule;
  judges: JudgeStats[];
  annotatorPairs: {a: string; b: string; agreement: MultiAgreement}[];
  /** All annotators at once; null with fewer than two annotators. */
  annotators: {
    raters: string[];
    /** Items every annotator labelled, the ones Fleiss' kappa is computed over. */
    complete: number;
    fleissKappa: Metric;
    alpha: Metric;
  } | null;
  orders: OrderAgreement[];
}

/** The set's classes in a stable order: the preference classes first, then any other label sorted. */
function classesOf(rows: readonly ClassRow[]): string[] {
  const used = new Set(rows.flatMap((r) => (r.label === null ? [] : [r.label])));
  const known = (PREFERENCE_CLASSES as readonly string[]).filter((c) => used.has(c));
  return [...known, ...[...used].filter((c) => !known.includes(c)).sort()];
}

const UNREADABLE = "\u0000unreadable";

export function judgmentSetStats(rows: readonly ClassRow[], nullAs: NullRule = "missing"): JudgmentSetStats {
  // Only the classes the set uses: a set without ties (LLMBar) is a two-class problem, and a tie class nobody
  // chose would leave every macro average undefined.
  const classes = classesOf(rows);
  const tie = classes.includes("tie");
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
  const judgeStats = [...judges].sort().map((rater): JudgeStats => {
    const pairs: {reference: string; rater: string}[] = [];
    const unreadable = classes.map(() => 0);
    let nulls = 0;
    for (const [itemId, labels] of items) {
      const ref = majority.get(itemId);
      if (ref === undefined || !labels.has(rater)) continue;
      const mine = labels.get(rater) ?? null;
      if (mine !== null) pairs.push({reference: ref, rater: mine});
      else {
        nulls++;
        if (nullAs === "tie" && tie) pairs.push({reference: ref, rater: "tie"});
        else unreadable[classes.indexOf(ref)]!++;
      }
    }
    const matrix = multiConfusion(pairs, classes);
    return {
      rater,
      matrix,
      agreement: multiAgreement(matrix, nullAs === "missing" ? [] : unreadable),
      unreadable: nulls
    };
  });
  const humanList = [...humans].sort();
  const annotatorPairs: JudgmentSetStats["annotatorPairs"] = [];
  for (let i = 0; i < humanList.length; i++) {
    for (let j = i + 1; j < humanList.length; j++) {
      const a = humanList[i]!;
      const b = humanList[j]!;
      const pairs: {reference: string; rater: string}[] = [];
      for (const labels of items.values()) {
        const x = labels.get(a);
        const y = labels.get(b);
        if (x != null && y != null) pairs.push({reference: x, rater: y});
      }
      annotatorPairs.push({a, b, agreement: multiAgreement(multiConfusion(pairs, classes))});
    }
  }
  return {
    items: items.size,
    withMajority: majority.size,
    nullAs,
    judges: judgeStats,
    annotatorPairs,
    annotators: humanList.length < 2 ? null : allAnnotators(items, humanList),
    orders: orderAgreement(
      items,
      [...judges],
      nullAs === "tie" && tie ? "tie" : nullAs === "missing" ? null : UNREADABLE
    )
  };
}

function allAnnotators(
  items: ReadonlyMap<string, ReadonlyMap<string, string | null>>,
  raters: string[]
): NonNullable<JudgmentSetStats["annotators"]> {
  const units = [...items.values()].map((labels) => raters.map((r) => labels.get(r) ?? null));
  const complete = units.filter((u): u is string[] => u.every((l) => l !== null));
  const alpha = krippendorffAlpha(units);
  return {
    raters,
    complete: complete.length,
    fleissKappa: fleissKappa(complete),
    alpha: alpha.alpha === null ? undefinedBecause(alpha.reason!) : defined(alpha.alpha)
  };
}

/**
 * Positional agreement of each judge run in both orders. An unreadable answer is read as `asClass`: under "wrong"
 * an answer of its own, so two of them agree (LLMBar counts them equal); under "missing" (null) an item with one is
 * left out.
 */
function orderAgreement(
  items: ReadonlyMap<string, ReadonlyMap<string, string | null>>,
  judges: string[],
  asClass: string | null
): OrderAgreement[] {
  const names = new Set(judges);
  return judges
    .filter((j) => !j.endsWith(SWAPPED_SUFFIX) && names.has(`${j}${SWAPPED_SUFFIX}`))
    .sort()
    .map((rater) => {
      const swapped = `${rater}${SWAPPED_SUFFIX}`;
      const pairs: {reference: string; rater: string}[] = [];
      for (const labels of items.values()) {
        if (!labels.has(rater) || !labels.has(swapped)) continue;
        const a = labels.get(rater) ?? null;
        const b = labels.get(swapped) ?? null;
        if ((a === null || b === null) && asClass === null) continue;
        pairs.push({reference: a ?? asClass!, rater: b ?? asClass!});
      }
      const categories = [...new Set(pairs.flatMap((p) => [p.reference, p.rater]))].sort();
      const same = pairs.filter((p) => p.reference === p.rater).length;
      return {
        rater,
        swapped,
        n: pairs.length,
        agreement: pairs.length ? defined(same / pairs.length) : undefinedBecause("no item has both orders' answers"),
        kappa: pairs.length
          ? multiAgreement(multiConfusion(pairs, categories)).kappa
          : undefinedBecause("no item has both orders' answers")
      };
    });
}
