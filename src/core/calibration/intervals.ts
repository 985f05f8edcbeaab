/**
 * @module Which interval each agreement metric gets. The single rates (accuracy, TPR, TNR, precision) are a count
 * of successes in a count of trials, so they get Wilson score intervals: closed-form and honest at 0 and n. The
 * metrics that combine all four cells (MCC, kappa, F1, balanced accuracy) get Bayesian intervals from the cells'
 * Dirichlet posterior (`posterior.ts`). Neither drops draws at the extremes as the bootstrap did. A metric whose
 * own value is undefined (a class absent) has no interval either, with the same reason.
 */
import {METRICS, type MetricName} from "./judgeAgreement.js";
import {total, type Confusion} from "./confusion.js";
import type {Interval} from "./bootstrap.js";
import {POSTERIOR_METRICS, posteriorIntervals} from "./posterior.js";
import {wilsonInterval} from "./wilson.js";

export interface IntervalOptions {
  /** Random draws behind each posterior interval (default 4,000); the Wilson intervals need none. */
  resamples?: number;
  /** 0.95 for a 95 % interval. */
  confidence?: number;
  seed?: number;
}

export function agreementIntervals(c: Confusion, options: IntervalOptions = {}): Record<MetricName, Interval> {
  const confidence = options.confidence ?? 0.95;
  const out = {
    accuracy: wilsonInterval(c.tp + c.tn, total(c), confidence),
    tpr: wilsonInterval(c.tp, c.tp + c.fn, confidence),
    tnr: wilsonInterval(c.tn, c.tn + c.fp, confidence),
    precision: wilsonInterval(c.tp, c.tp + c.fp, confidence)
  } as Record<MetricName, Interval>;
  const posterior =
    total(c) === 0
      ? null
      : posteriorIntervals(c, {
          confidence,
          ...(options.resamples === undefined ? {} : {draws: options.resamples}),
          ...(options.seed === undefined ? {} : {seed: options.seed})
        });
  for (const name of POSTERIOR_METRICS) out[name] = posterior ? posterior[name] : {undefined: "no labelled pairs"};
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const point = METRICS[name](c);
    if ("undefined" in point) out[name] = {undefined: point.undefined};
  }
  return out;
}
