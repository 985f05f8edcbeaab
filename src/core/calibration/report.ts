/**
 * @module A calibration report: the confusion matrix, every agreement metric with its 95 % interval (`intervals.ts`), n and
 * the class counts, for one evaluator version against one set of human labels, and grouped by any key
 * (evaluator, criterion, annotator).
 */
import {METRICS, type MetricName} from "./judgeAgreement.js";
import type {Interval} from "./bootstrap.js";
import {agreementIntervals, type IntervalOptions} from "./intervals.js";
import {confusion, total, type Confusion, type LabelPair} from "./confusion.js";
import type {Metric} from "./metric.js";

export interface MetricWithInterval {
  metric: Metric;
  interval: Interval;
}

export interface CalibrationReport {
  n: number;
  /** Human labels per class: the positive class is fail. */
  humanFail: number;
  humanPass: number;
  confusion: Confusion;
  metrics: Record<MetricName, MetricWithInterval>;
}

export function reportFromConfusion(c: Confusion, options: IntervalOptions = {}): CalibrationReport {
  const intervals = agreementIntervals(c, options);
  const metrics = {} as Record<MetricName, MetricWithInterval>;
  for (const [name, metric] of Object.entries(METRICS) as [MetricName, (c: Confusion) => Metric][]) {
    metrics[name] = {metric: metric(c), interval: intervals[name]};
  }
  return {n: total(c), humanFail: c.tp + c.fn, humanPass: c.fp + c.tn, confusion: c, metrics};
}

export function calibrationReport(pairs: Iterable<LabelPair>, options: IntervalOptions = {}): CalibrationReport {
  return reportFromConfusion(confusion(pairs), options);
}

/** One report per distinct key, in first-seen order; `key` picks the group (an evaluator version, an annotator…). */
export function groupedReports<T extends LabelPair>(
  pairs: Iterable<T>,
  key: (pair: T) => string,
  options: IntervalOptions = {}
): Map<string, CalibrationReport> {
  const groups = new Map<string, Confusion>();
  for (const pair of pairs) {
    const k = key(pair);
    let c = groups.get(k);
    if (!c) groups.set(k, (c = {tp: 0, fp: 0, fn: 0, tn: 0}));
    if (pair.human === "fail") c[pair.judge === "fail" ? "tp" : "fn"]++;
    else c[pair.judge === "fail" ? "fp" : "tn"]++;
  }
  const out = new Map<string, CalibrationReport>();
  for (const [k, c] of groups) out.set(k, reportFromConfusion(c, options));
  return out;
}
