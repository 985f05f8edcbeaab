/**
 * @module Drift flags: is a bucket's value out of line with the buckets just before it?
 *
 * Each bucket is compared with a trailing window of the `WINDOW` buckets before it (empty buckets count as
 * nothing, not as zeros). Two tests, each stated on the page and in the README:
 * - a failure rate, by a two-proportion z-test of the bucket's failures against the window's pooled failures,
 *   flagged when |z| ≥ `Z_THRESHOLD` (3: about 1 in 370 buckets of a steady process by chance). Both sides must
 *   hold enough traces for the normal approximation, or the bucket is left untested;
 * - a cost per trace, by a robust z-score 0.6745·(x − median)/MAD of the window's per-bucket values (Iglewicz and
 *   Hoaglin), flagged when |z| ≥ `ROBUST_Z_THRESHOLD` (3.5). A median and MAD are not moved by the one odd
 *   bucket that a mean and standard deviation would chase. The MAD of seven values is itself noisy, and a quiet
 *   window makes a small wobble look large, so the bucket must also be `MIN_RELATIVE_CHANGE` (25 %) away from the
 *   window's median. Where more than half the window is one value, its MAD is 0 and the mean absolute deviation
 *   scales instead (z = (x − median)/(1.2533·MeanAD), as Iglewicz and Hoaglin advise); a window of one value
 *   throughout cannot scale a departure at all and is left untested.
 */
import {median} from "./percentile.js";

export const WINDOW = 7;
export const Z_THRESHOLD = 3;
export const ROBUST_Z_THRESHOLD = 3.5;
/** How far from the window's median a cost must also be to be flagged, as a share of the median. */
export const MIN_RELATIVE_CHANGE = 0.25;
/** The fewest traces in the bucket, and in the window, for the z-test's normal approximation. */
export const MIN_BUCKET = 10;
export const MIN_WINDOW = 30;
/** The fewest window buckets with a value for the robust z. */
export const MIN_WINDOW_BUCKETS = 5;

export interface Proportion {
  fail: number;
  total: number;
}

export type DriftResult =
  {tested: true; z: number; baseline: number; value: number; flagged: boolean} | {tested: false; reason: string};

/** The two-proportion z-statistic of a bucket against its window (pooled variance), or null when it is 0. */
export function twoProportionZ(bucket: Proportion, window: Proportion): number | null {
  const pooled = (bucket.fail + window.fail) / (bucket.total + window.total);
  const variance = pooled * (1 - pooled) * (1 / bucket.total + 1 / window.total);
  if (!(variance > 0)) return null;
  return (bucket.fail / bucket.total - window.fail / window.total) / Math.sqrt(variance);
}

/** The z-test of every bucket of a failure-rate series against the `WINDOW` buckets before it. */
export function proportionDrift(series: readonly Proportion[]): DriftResult[] {
  return series.map((bucket, i) => {
    const window = series
      .slice(Math.max(0, i - WINDOW), i)
      .reduce((sum, b) => ({fail: sum.fail + b.fail, total: sum.total + b.total}), {fail: 0, total: 0});
    if (bucket.total < MIN_BUCKET) return {tested: false, reason: `fewer than ${MIN_BUCKET} traces in the bucket`};
    if (window.total < MIN_WINDOW)
      return {tested: false, reason: `fewer than ${MIN_WINDOW} traces in the ${WINDOW} buckets before it`};
    const z = twoProportionZ(bucket, window);
    if (z === null) return {tested: false, reason: "no failure, or nothing but failures, on either side"};
    return {
      tested: true,
      z,
      baseline: window.fail / window.total,
      value: bucket.fail / bucket.total,
      flagged: Math.abs(z) >= Z_THRESHOLD
    };
  });
}

/** The robust z-score of `value` against `window`, or null when every value of the window is the same. */
export function robustZ(value: number, window: readonly number[]): number | null {
  const center = median(window);
  if (center === null) return null;
  const deviations = window.map((v) => Math.abs(v - center));
  const mad = median(deviations)!;
  if (mad > 0) return (0.6745 * (value - center)) / mad;
  const meanDeviation = deviations.reduce((s, d) => s + d, 0) / deviations.length;
  if (meanDeviation > 0) return (value - center) / (1.253314 * meanDeviation);
  return null;
}

/** The robust z of every bucket of a series (null: no value in that bucket) against the buckets before it. */
export function robustDrift(series: readonly (number | null)[]): DriftResult[] {
  return series.map((value, i) => {
    if (value === null) return {tested: false, reason: "no value in the bucket"};
    const window = series.slice(Math.max(0, i - WINDOW), i).filter((v): v is number => v !== null);
    if (window.length < MIN_WINDOW_BUCKETS)
      return {
        tested: false,
        reason: `fewer than ${MIN_WINDOW_BUCKETS} of the ${WINDOW} buckets before it have a value`
      };
    const z = robustZ(value, window);
    if (z === null) return {tested: false, reason: "the buckets before it all have the same value"};
    const baseline = median(window)!;
    const flagged =
      Math.abs(z) >= ROBUST_Z_THRESHOLD && Math.abs(value - baseline) >= MIN_RELATIVE_CHANGE * Math.abs(baseline);
    return {tested: true, z, baseline, value, flagged};
  });
}
