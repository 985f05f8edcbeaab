/**
 * @module The labelled examples evaluators are generated from, and how they are split. An example is one trace
 * as evaluators read it (its rule context and its judge view), with the ground-truth outcome on the failure mode's
 * criterion and the annotators' explanation: the explanation is what a reflective prompt optimizer learns from.
 *
 * The split is stratified by outcome and decided by a seeded hash of each trace id, not by input order, so the
 * same labels always give the same split, and the held-out share of each class is exact even for small sets.
 */
import type {RuleContext} from "../evaluator/rule.js";
import type {TraceForJudge} from "../evaluator/judgePrompt.js";
import type {Outcome} from "../schemas/evaluator.js";
import {shortHash} from "../clusters/hash.js";

export interface LabelledExample {
  traceId: string;
  /** Ground truth on the criterion: `fail` means the trace shows this failure mode. */
  outcome: Outcome;
  /** Why the annotators decided so, when they said. */
  explanation: string | null;
  rule: RuleContext;
  trace: TraceForJudge;
}

export interface Split<T> {
  train: T[];
  heldOut: T[];
}

export interface SplitOptions {
  /** Share of each class held out (default 0.3). */
  heldOut?: number;
  seed?: number;
}

/**
 * Stratified, deterministic split. Each class keeps at least one example on each side when it has two or more,
 * so that both sides can measure an MCC whenever the labels allow one.
 */
export function splitExamples<T extends {traceId: string; outcome: Outcome}>(examples: readonly T[], options: SplitOptions = {}): Split<T> {
  const share = options.heldOut ?? 0.3;
  if (!(share > 0 && share < 1)) throw new RangeError(`the held-out share must be between 0 and 1, not ${share}`);
  const seed = options.seed ?? 1;
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const outcome of ["fail", "pass"] as const) {
    const members = examples
      .filter((e) => e.outcome === outcome)
      .map((e) => ({e, key: shortHash(`${seed}:${e.traceId}`)}))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.e.traceId < b.e.traceId ? -1 : 1));
    let held = Math.round(members.length * share);
    if (members.length >= 2) held = Math.min(Math.max(held, 1), members.length - 1);
    members.forEach((m, i) => (i < held ? heldOut : train).push(m.e));
  }
  const order = new Map(examples.map((e, i) => [e, i]));
  const byInput = (a: T, b: T) => order.get(a)! - order.get(b)!;
  return {train: train.sort(byInput), heldOut: heldOut.sort(byInput)};
}
