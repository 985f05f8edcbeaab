/**
 * @module Percentile bootstrap intervals for agreement metrics, seeded so they are reproducible. Reports use the
 * posterior and Wilson intervals instead (`intervals.ts`); the bootstrap stays for comparison and the benchmark.
 *
 * Resampling n (human, judge) pairs with replacement only changes how many pairs land in each of the four
 * confusion cells, and those counts are exactly Multinomial(n; tp/n, fp/n, fn/n, tn/n). So each resample is drawn
 * as three conditional binomials (tp, then fp among the rest, then fn among the rest; tn is what remains) with an
 * exact binomial sampler (d3-random's): O(1) per resample instead of n index draws, and the same distribution
 * (the test compares both).
 */
import {METRICS, type MetricName} from "./judgeAgreement.js";
import {binomial} from "./binomial.js";
import {total, type Confusion} from "./confusion.js";
import type {Metric} from "./metric.js";
import {seededRandom, type Random} from "./rng.js";

export interface BootstrapOptions {
  resamples?: number;
  /** 0.95 for a 95 % interval. */
  confidence?: number;
  seed?: number;
}

/** How an interval was made: bootstrap resamples, posterior draws (`posterior.ts`) or Wilson's formula (`wilson.ts`). */
export type IntervalMethod = "bootstrap" | "posterior" | "wilson";

/**
 * An interval, or why there is none. `draws` counts the resamples or posterior draws (0 for a formula), and
 * `undefinedShare` is the share of them where the statistic was undefined and left out: an interval made from the
 * few draws that remain can look far surer than it is, so the share is reported wherever the interval is.
 */
export type Interval =
  | {low: number; high: number; confidence: number; method: IntervalMethod; draws: number; undefinedShare: number}
  | {undefined: string};

/** One bootstrap resample of a confusion matrix. */
export function resampleConfusion(c: Confusion, random: Random): Confusion {
  const n = total(c);
  const tp = binomial(n, c.tp / n, random);
  let rest = n - tp;
  let mass = n - c.tp;
  const fp = mass > 0 ? binomial(rest, c.fp / mass, random) : 0;
  rest -= fp;
  mass -= c.fp;
  const fn = mass > 0 ? binomial(rest, c.fn / mass, random) : 0;
  return {tp, fp, fn, tn: rest - fn};
}

/** `resamples` bootstrap confusion matrices of `c`. */
export function bootstrapConfusions(c: Confusion, resamples: number, random: Random): Confusion[] {
  const out: Confusion[] = new Array(resamples);
  for (let i = 0; i < resamples; i++) out[i] = resampleConfusion(c, random);
  return out;
}

/**
 * The q-quantile of sorted values with linear interpolation between order statistics (numpy's default
 * `percentile`, which judgy uses), so the intervals compare with Python's.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The percentile interval of a statistic over draws; draws where it is undefined are left out and counted. */
export function percentileInterval(
  values: readonly Metric[],
  confidence: number,
  method: IntervalMethod = "bootstrap"
): Interval {
  const defined = new Float64Array(values.length);
  let k = 0;
  for (const v of values) if ("value" in v) defined[k++] = v.value;
  if (k === 0) {
    const reason = values.find((v): v is {undefined: string} => "undefined" in v)?.undefined ?? "no resamples";
    return {undefined: `undefined in every resample (${reason})`};
  }
  const sorted = defined.subarray(0, k).sort();
  const alpha = 1 - confidence;
  return {
    low: quantileSorted(sorted, alpha / 2),
    high: quantileSorted(sorted, 1 - alpha / 2),
    confidence,
    method,
    draws: values.length,
    undefinedShare: (values.length - k) / values.length
  };
}

/** Intervals for every agreement metric from one shared set of resamples. */
export function bootstrapIntervals(c: Confusion, options: BootstrapOptions = {}): Record<MetricName, Interval> {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const out = {} as Record<MetricName, Interval>;
  if (total(c) === 0) {
    for (const name of Object.keys(METRICS) as MetricName[]) out[name] = {undefined: "no labelled pairs"};
    return out;
  }
  const samples = bootstrapConfusions(c, resamples, seededRandom(options.seed ?? 1));
  for (const [name, metric] of Object.entries(METRICS) as [MetricName, (c: Confusion) => Metric][]) {
    out[name] = percentileInterval(samples.map(metric), confidence);
  }
  return out;
}
