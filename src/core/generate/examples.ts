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
  /**
   * Traces of one group (a session, a task run several times) share more than a label: when groups are given they
   * are split whole, so that no group is both learned from and measured on.
   */
  group?: string;
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
export function splitExamples<T extends {traceId: string; outcome: Outcome; group?: string}>(
  examples: readonly T[],
  options: SplitOptions = {}
): Split<T> {
  const share = options.heldOut ?? 0.3;
  if (!(share > 0 && share < 1)) throw new RangeError(`the held-out share must be between 0 and 1, not ${share}`);
  const seed = options.seed ?? 1;
  if (examples.some((e) => e.group !== undefined)) return splitGroups(examples, share, seed);
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

/**
 * The grouped split: whole groups, in the order of a seeded hash of their key, go to the held-out side while they
 * keep every class at or under its held-out share; then a class still missing there (or on the training side) gets
 * one group, so both sides can measure an MCC whenever the groups allow it. An example without a group is a group
 * of its own.
 */
function splitGroups<T extends {traceId: string; outcome: Outcome; group?: string}>(
  examples: readonly T[],
  share: number,
  seed: number
): Split<T> {
  const groups = new Map<string, T[]>();
  for (const e of examples) {
    const key = e.group ?? `\u0000${e.traceId}`;
    let members = groups.get(key);
    if (!members) groups.set(key, (members = []));
    members.push(e);
  }
  const ordered = [...groups.entries()]
    .map(([key, members]) => ({key, members, hash: shortHash(`${seed}:${key}`)}))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.key < b.key ? -1 : 1));
  const count = (members: readonly T[], outcome: Outcome) => members.filter((m) => m.outcome === outcome).length;
  const total = {fail: count(examples, "fail"), pass: count(examples, "pass")};
  const target = {fail: Math.round(total.fail * share), pass: Math.round(total.pass * share)};
  const held = {fail: 0, pass: 0};
  const chosen = new Set<string>();
  const take = (g: (typeof ordered)[number]) => {
    chosen.add(g.key);
    held.fail += count(g.members, "fail");
    held.pass += count(g.members, "pass");
  };
  for (const g of ordered) {
    const f = count(g.members, "fail");
    const p = count(g.members, "pass");
    if (held.fail + f <= target.fail && held.pass + p <= target.pass) take(g);
  }
  for (const outcome of ["fail", "pass"] as const) {
    if (held[outcome] > 0) continue;
    // A group that gives held-out this class and leaves some of it for training.
    const g = ordered.find(
      (g) => !chosen.has(g.key) && count(g.members, outcome) > 0 && count(g.members, outcome) < total[outcome]
    );
    if (g) take(g);
  }
  const order = new Map(examples.map((e, i) => [e, i]));
  const byInput = (a: T, b: T) => order.get(a)! - order.get(b)!;
  const heldOut = ordered.filter((g) => chosen.has(g.key)).flatMap((g) => g.members);
  const train = ordered.filter((g) => !chosen.has(g.key)).flatMap((g) => g.members);
  return {train: train.sort(byInput), heldOut: heldOut.sort(byInput)};
}
