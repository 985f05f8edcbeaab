/**
 * @module Calibration sliced by any columns of the verdict rows (model, prompt version, evaluator, week…): one
 * confusion matrix and its agreement figures per combination of values. Notebooks hand it rows of
 * `data/verdicts.arrow` (Arrow rows or plain objects alike); the figures are the same functions as the
 * calibration page's and `plumbline calibrate report`'s, without intervals.
 */
import {confusion, total, type Confusion} from "../calibration/confusion.js";
import {kappa, mcc, tnr, tpr} from "../calibration/judgeAgreement.js";
import type {Metric} from "../calibration/metric.js";
import type {CalibrationPageData} from "../calibration/pageData.js";

/** What a verdict row must have; any other column can slice. */
export interface VerdictLike {
  judge: unknown;
  human: unknown;
  in_sample?: unknown;
  [column: string]: unknown;
}

export interface CalibrationSlice {
  /** The values of the slicing columns, in their order; a missing value is "(none)". */
  key: string[];
  n: number;
  confusion: Confusion;
  mcc: Metric;
  kappa: Metric;
  tpr: Metric;
  tnr: Metric;
}

export const NONE_VALUE = "(none)";

const outcome = (value: unknown): "pass" | "fail" | null => (value === "pass" || value === "fail" ? value : null);
const keyText = (value: unknown) =>
  value === null || value === undefined || value === "" ? NONE_VALUE : String(value);

/**
 * One slice per combination of `by` values, in order of the key. Rows on traces an evaluator learned from
 * (`in_sample` true) are left out, as in every other calibration figure, unless `inSample` is true; rows whose
 * judge or human value is not pass/fail are left out.
 */
export function sliceCalibration(
  rows: Iterable<VerdictLike>,
  by: readonly string[],
  {inSample = false}: {inSample?: boolean} = {}
): CalibrationSlice[] {
  const groups = new Map<string, {key: string[]; pairs: {human: "pass" | "fail"; judge: "pass" | "fail"}[]}>();
  for (const row of rows) {
    if (!inSample && row.in_sample === true) continue;
    const human = outcome(row.human);
    const judge = outcome(row.judge);
    if (!human || !judge) continue;
    const key = by.map((column) => keyText(row[column]));
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = {key, pairs: []}));
    group.pairs.push({human, judge});
  }
  return [...groups.values()]
    .sort((a, b) => compareKeys(a.key, b.key))
    .map(({key, pairs}) => {
      const c = confusion(pairs);
      return {key, n: total(c), confusion: c, mcc: mcc(c), kappa: kappa(c), tpr: tpr(c), tnr: tnr(c)};
    });
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = a[i]!.localeCompare(b[i]!, "en", {numeric: true});
    if (order) return order;
  }
  return 0;
}

/**
 * The calibration page's data kept to the pairs on `traces` (e.g. the traces of one model), so the page's own
 * view can show a slice. A slice has no gated population of its own, so the corrected failure rate is left out.
 */
export function restrictCalibration(data: CalibrationPageData, traces: Iterable<string>): CalibrationPageData {
  const keep = new Set(traces);
  return {
    ...data,
    aligned: data.aligned.filter((row) => keep.has(row.t)),
    inSample: data.inSample.filter((row) => keep.has(row.t)),
    populations: []
  };
}
