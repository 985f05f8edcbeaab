/**
 * @module Pairwise review of two experiments: each dataset case both ran with an output is a pair, numbered the same
 * way whoever looks at it (output 1 is the experiment whose name sorts first), so that reviewers, the menus' order
 * and the pairwise judge all speak of the same pair. A reviewer's choices are events; the one that counts for a
 * (pair, reviewer) is the last in log order, so changing one's mind is another event, never an edit.
 *
 * No zod here: the Pairwise review page imports this module, and zod breaks the site's strict policy.
 */
import {judgmentSetStats, type JudgmentSetStats, type PreferenceClass} from "../calibration/judgmentSetStats.js";
import type {ExperimentSide} from "../experiments/compare.js";
import type {BlindChoice} from "./blind.js";
import {
  joinOrders,
  summarizePairwise,
  type HumanPreference,
  type PairJudgment,
  type PairwiseSummary
} from "./orders.js";
import type {Order, Pair} from "./prompt.js";

/** One case both experiments answered, in the pair's numbering. */
export interface ExperimentPair extends Pair {
  /** Output 1 is `experiments[0]`'s, output 2 is `experiments[1]`'s; the names are sorted. */
  experiments: [string, string];
  caseId: string;
}

/** The two experiments in the pair's numbering: sorted by name. */
export function pairExperiments(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

/** A pair's identity: the two experiments (sorted) and the case. Experiment names hold no `|`. */
export function pairIdOf(experiments: readonly [string, string], caseId: string): string {
  return `${experiments[0]}|${experiments[1]}|${caseId}`;
}

/** The pairs of two experiments on one dataset: the cases both ran with an output, in the first's case order. */
export function experimentPairs(x: ExperimentSide, y: ExperimentSide): ExperimentPair[] {
  const [first, second] = x.name < y.name ? [x, y] : [y, x];
  const byCase = new Map(second.cases.map((c) => [c.caseId, c]));
  const experiments: [string, string] = [first.name, second.name];
  const pairs: ExperimentPair[] = [];
  for (const one of first.cases) {
    const two = byCase.get(one.caseId);
    if (one.output === null || !two || two.output === null) continue;
    pairs.push({
      pairId: pairIdOf(experiments, one.caseId),
      experiments,
      caseId: one.caseId,
      input: one.input,
      output1: one.output,
      output2: two.output
    });
  }
  return pairs;
}

/** One reviewer's choice on one pair as the log holds it (see `PairwiseChoiceEventSchema` for the checked shape). */
export interface PairwiseChoice {
  eventId: string;
  at: number;
  pairId: string;
  experiments: [string, string];
  caseId: string;
  reviewer: string;
  /** The order the reviewer was shown, and what they chose as shown. */
  order: Order;
  shown: BlindChoice;
  /** The choice in the pair's numbering, and the experiment it names (null for a tie). */
  preference: PreferenceClass;
  preferred: string | null;
  explanation: string | null;
}

/** The choice that counts per (pair, reviewer): the last in log order. */
export function currentChoices(events: Iterable<PairwiseChoice>): PairwiseChoice[] {
  const latest = new Map<string, PairwiseChoice>();
  for (const e of events) {
    const key = `${e.pairId}\u0000${e.reviewer}`;
    latest.delete(key);
    latest.set(key, e);
  }
  return [...latest.values()];
}

/** A pairwise judge's answer on one pair in one order, as `plumbline pairwise judge` stores it. */
export interface PairwiseVerdict {
  judgeId: string;
  pairId: string;
  order: Order;
  /** In the pair's numbering; null when the call failed or its answer did not parse. */
  preference: PreferenceClass | null;
}

export interface ReviewAgreement {
  /** Pairs with a human choice, and the reviewers who made them. */
  pairs: number;
  reviewers: string[];
  /** Agreement among the reviewers (each pair of them, and all at once). */
  humans: JudgmentSetStats;
  /** Per pairwise judge: each order against the human majority, and the two orders against each other. */
  judges: {judgeId: string; summary: PairwiseSummary}[];
}

/**
 * Agreement on one experiment pair's choices: human–human, and each pairwise judge against the humans, with the same
 * figures the imported LLMBar and PandaLM sets get (`summarizePairwise`).
 */
export function reviewAgreement(
  choices: readonly PairwiseChoice[],
  verdicts: readonly PairwiseVerdict[]
): ReviewAgreement {
  const humans: HumanPreference[] = currentChoices(choices).map((c) => ({
    pairId: c.pairId,
    rater: c.reviewer,
    label: c.preference
  }));
  const judgeIds = [...new Set(verdicts.map((v) => v.judgeId))].sort();
  const judges = judgeIds.map((judgeId) => {
    const byPair = new Map<string, {oneFirst: PreferenceClass | null; twoFirst: PreferenceClass | null}>();
    for (const v of verdicts) {
      if (v.judgeId !== judgeId) continue;
      const entry = byPair.get(v.pairId) ?? {oneFirst: null, twoFirst: null};
      if (v.order === "1-first") entry.oneFirst = v.preference;
      else entry.twoFirst = v.preference;
      byPair.set(v.pairId, entry);
    }
    const judgments: PairJudgment[] = [...byPair].map(([pairId, o]) => joinOrders(pairId, o.oneFirst, o.twoFirst));
    return {judgeId, summary: summarizePairwise(judgeId, judgments, humans)};
  });
  return {
    pairs: new Set(humans.map((h) => h.pairId)).size,
    reviewers: [...new Set(humans.map((h) => h.rater))].sort(),
    humans: judgmentSetStats(
      humans.map((h) => ({itemId: h.pairId, rater: h.rater, kind: "human", label: h.label})),
      "missing"
    ),
    judges
  };
}
