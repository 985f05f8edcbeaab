/**
 * @module Judge-vs-human confusion matrices. The positive class is **fail**: an evaluator exists to detect a
 * failure, so a true positive is a trace both the human and the judge call a failure.
 */
import type {Outcome} from "../schemas/evaluator.js";

export interface Confusion {
  /** human fail, judge fail */
  tp: number;
  /** human pass, judge fail */
  fp: number;
  /** human fail, judge pass */
  fn: number;
  /** human pass, judge pass */
  tn: number;
}

export interface LabelPair {
  human: Outcome;
  judge: Outcome;
}

export type Cell = keyof Confusion;

export function cellOf(human: Outcome, judge: Outcome): Cell {
  if (human === "fail") return judge === "fail" ? "tp" : "fn";
  return judge === "fail" ? "fp" : "tn";
}

export function confusion(pairs: Iterable<LabelPair>): Confusion {
  const c: Confusion = {tp: 0, fp: 0, fn: 0, tn: 0};
  for (const pair of pairs) c[cellOf(pair.human, pair.judge)]++;
  return c;
}

export function total(c: Confusion): number {
  return c.tp + c.fp + c.fn + c.tn;
}
