/**
 * @module A pairwise judge's two answers on one pair (each output shown first once), read back into the pair's own
 * numbering and joined into one preference. An answer that changes with the order is the judge's position bias,
 * not a preference, so a pair whose orders disagree counts as a tie. Agreement with people, and between the two
 * orders, is the judgment-set figures the imported LLMBar and PandaLM sets get (`judgmentSetStats`): the judge
 * is rater `<id>` with output 1 first and `<id>/swapped` with output 2 first.
 */
import {
  judgmentSetStats,
  SWAPPED_SUFFIX,
  type ClassRow,
  type JudgmentSetStats,
  type NullRule,
  type PreferenceClass
} from "../calibration/judgmentSetStats.js";
import type {PairwiseAnswer} from "../schemas/pairwise.js";
import type {Order} from "./prompt.js";

/** The answer about "A"/"B" as shown, in the pair's numbering: in the 2-first order, A is output 2. */
export function pairClass(preference: PairwiseAnswer["preference"], order: Order): PreferenceClass {
  if (preference === "tie") return "tie";
  const first = order === "1-first" ? "1" : "2";
  const second = order === "1-first" ? "2" : "1";
  return preference === "A" ? first : second;
}

export interface PairJudgment {
  pairId: string;
  /** The answer with output 1 shown first, and with output 2 first; null where the call failed or did not parse. */
  oneFirst: PreferenceClass | null;
  twoFirst: PreferenceClass | null;
  /** Both orders joined: their answer when they agree, a tie when they do not, null when one is missing. */
  preference: PreferenceClass | null;
  /** Whether the two orders gave the same answer; null when one is missing. */
  consistent: boolean | null;
}

export function joinOrders(
  pairId: string,
  oneFirst: PreferenceClass | null,
  twoFirst: PreferenceClass | null
): PairJudgment {
  if (oneFirst === null || twoFirst === null) return {pairId, oneFirst, twoFirst, preference: null, consistent: null};
  const consistent = oneFirst === twoFirst;
  return {pairId, oneFirst, twoFirst, preference: consistent ? oneFirst : "tie", consistent};
}

export interface HumanPreference {
  pairId: string;
  rater: string;
  label: PreferenceClass | null;
}

/** The rows `judgmentSetStats` reads: each human label, and the judge's answer in each order as two raters. */
export function pairwiseRows(
  judge: string,
  judgments: readonly PairJudgment[],
  humans: readonly HumanPreference[]
): ClassRow[] {
  return [
    ...humans.map((h) => ({itemId: h.pairId, rater: h.rater, kind: "human", label: h.label})),
    ...judgments.flatMap((j) => [
      {itemId: j.pairId, rater: judge, kind: "judge", label: j.oneFirst},
      {itemId: j.pairId, rater: `${judge}${SWAPPED_SUFFIX}`, kind: "judge", label: j.twoFirst}
    ])
  ];
}

export interface PairwiseSummary {
  pairs: number;
  /** Pairs with both orders answered, and those on which the orders agree. */
  answeredBoth: number;
  consistent: number;
  /** Joined preferences: output 1, output 2, tie (including order disagreements), none. */
  counts: Record<PreferenceClass | "none", number>;
  /** Agreement with the human majority per order, between orders, and among the humans. */
  stats: JudgmentSetStats;
}

export function summarizePairwise(
  judge: string,
  judgments: readonly PairJudgment[],
  humans: readonly HumanPreference[],
  nullAs: NullRule = "missing"
): PairwiseSummary {
  const counts: PairwiseSummary["counts"] = {"1": 0, "2": 0, tie: 0, none: 0};
  for (const j of judgments) counts[j.preference ?? "none"]++;
  return {
    pairs: judgments.length,
    answeredBoth: judgments.filter((j) => j.consistent !== null).length,
    consistent: judgments.filter((j) => j.consistent === true).length,
    counts,
    stats: judgmentSetStats(pairwiseRows(judge, judgments, humans), nullAs)
  };
}
