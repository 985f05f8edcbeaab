/**
 * @module How well a judge agrees with the human labels: metrics from a binary confusion matrix (positive = fail).
 * Each returns a `Metric`: where the formula divides by zero the result is undefined with the reason in words.
 */
import {total, type Confusion} from "./confusion.js";
import {defined, ratio, undefinedBecause, type Metric} from "./metric.js";

export function accuracy(c: Confusion): Metric {
  return ratio(c.tp + c.tn, total(c), "no labelled pairs");
}

/** True positive rate (sensitivity, recall): of the human failures, the share the judge caught. */
export function tpr(c: Confusion): Metric {
  return ratio(c.tp, c.tp + c.fn, "no trace a human failed, so the rate of caught failures is unknown");
}

/** True negative rate (specificity): of the human passes, the share the judge passed. */
export function tnr(c: Confusion): Metric {
  return ratio(c.tn, c.tn + c.fp, "no trace a human passed, so the rate of correct passes is unknown");
}

/** Of the judge's failures, the share a human also failed. */
export function precision(c: Confusion): Metric {
  return ratio(c.tp, c.tp + c.fp, "the judge failed no trace, so its precision is unknown");
}

export function balancedAccuracy(c: Confusion): Metric {
  const a = tpr(c);
  const b = tnr(c);
  if (!("value" in a)) return a;
  if (!("value" in b)) return b;
  return defined((a.value + b.value) / 2);
}

export function f1(c: Confusion): Metric {
  if (c.tp + c.fp + c.fn === 0) return undefinedBecause("neither the humans nor the judge failed any trace");
  return defined((2 * c.tp) / (2 * c.tp + c.fp + c.fn));
}

/** Cohen's kappa: agreement beyond what the two raters' own fail rates would give by chance. */
export function kappa(c: Confusion): Metric {
  const n = total(c);
  if (n === 0) return undefinedBecause("no labelled pairs");
  const observed = (c.tp + c.tn) / n;
  const expected = ((c.tp + c.fp) * (c.tp + c.fn) + (c.fn + c.tn) * (c.fp + c.tn)) / (n * n);
  if (expected === 1)
    return undefinedBecause("both raters gave every trace the same single label, so chance agreement is total");
  return defined((observed - expected) / (1 - expected));
}

/**
 * Matthews correlation coefficient. Undefined when a row or column of the matrix is empty: with one class absent
 * from the human labels or from the judge's verdicts there is no correlation to measure (some libraries report 0;
 * here that would look like a measured "no better than chance").
 */
export function mcc(c: Confusion): Metric {
  const humanFail = c.tp + c.fn;
  const humanPass = c.fp + c.tn;
  const judgeFail = c.tp + c.fp;
  const judgePass = c.fn + c.tn;
  if (humanFail === 0) return undefinedBecause("no trace a human failed");
  if (humanPass === 0) return undefinedBecause("no trace a human passed");
  if (judgeFail === 0) return undefinedBecause("the judge failed no trace");
  if (judgePass === 0) return undefinedBecause("the judge passed no trace");
  return defined((c.tp * c.tn - c.fp * c.fn) / Math.sqrt(humanFail * humanPass * judgeFail * judgePass));
}

export const METRICS = {accuracy, balancedAccuracy, tpr, tnr, precision, f1, kappa, mcc} as const;
export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
