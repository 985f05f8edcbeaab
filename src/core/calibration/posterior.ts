/**
 * @module Bayesian intervals for the agreement metrics that combine all four confusion cells (MCC, kappa, F1,
 * balanced accuracy), honest where the bootstrap is not: resampling a perfect or near-empty matrix mostly gives the
 * same matrix back (or one whose MCC is undefined, then dropped), so n = 5 all correct had the interval [1.00, 1.00].
 *
 * The cell probabilities get a Dirichlet posterior under Jeffreys' prior, 0.5 per cell: the prior for a multinomial
 * that is invariant to how its probabilities are parametrized, and the weakest common choice (two pseudo-counts in
 * all, where the uniform prior adds four and pulls a small matrix's MCC towards 0 twice as hard). Each draw is four
 * gamma variates from the seeded source (normalizing them is unnecessary: every metric here is a ratio of cell
 * masses). Every draw has all four cells positive, so MCC is defined in every draw, whatever the counts.
 */
import {randomGamma} from "d3-random";
import {METRICS, type MetricName} from "./judgeAgreement.js";
import type {Confusion} from "./confusion.js";
import type {Metric} from "./metric.js";
import {percentileInterval, type Interval} from "./bootstrap.js";
import {seededRandom, type Random} from "./rng.js";

/** Jeffreys' prior: half a pseudo-count in each cell. */
export const PRIOR_PER_CELL = 0.5;

/** The metrics whose interval comes from the posterior; the single rates get Wilson intervals (`wilson.ts`). */
export const POSTERIOR_METRICS = ["mcc", "kappa", "f1", "balancedAccuracy"] as const satisfies readonly MetricName[];
export type PosteriorMetric = (typeof POSTERIOR_METRICS)[number];

export interface PosteriorOptions {
  /** Posterior draws (default 4,000: the 2.5 % tail then rests on 100 draws). */
  draws?: number;
  /** 0.95 for a 95 % interval. */
  confidence?: number;
  seed?: number;
}

export const DEFAULT_DRAWS = 4000;

/** `draws` samples of the cell masses from the posterior of `c`, with `random` as the only source. */
export function posteriorConfusions(c: Confusion, draws: number, random: Random): Confusion[] {
  const gamma = randomGamma.source(random);
  const cells = [
    gamma(c.tp + PRIOR_PER_CELL),
    gamma(c.fp + PRIOR_PER_CELL),
    gamma(c.fn + PRIOR_PER_CELL),
    gamma(c.tn + PRIOR_PER_CELL)
  ];
  const out: Confusion[] = new Array(draws);
  for (let i = 0; i < draws; i++) out[i] = {tp: cells[0]!(), fp: cells[1]!(), fn: cells[2]!(), tn: cells[3]!()};
  return out;
}

/** 95 % posterior intervals of MCC, kappa, F1 and balanced accuracy from one shared set of draws. */
export function posteriorIntervals(c: Confusion, options: PosteriorOptions = {}): Record<PosteriorMetric, Interval> {
  const draws = posteriorConfusions(c, options.draws ?? DEFAULT_DRAWS, seededRandom(options.seed ?? 1));
  const out = {} as Record<PosteriorMetric, Interval>;
  for (const name of POSTERIOR_METRICS) {
    const metric: (c: Confusion) => Metric = METRICS[name];
    out[name] = percentileInterval(draws.map(metric), options.confidence ?? 0.95, "posterior");
  }
  return out;
}

/** The MCC's posterior interval alone: what a spec records and the gate decides on. */
export function mccInterval(c: Confusion, options: PosteriorOptions = {}): Interval {
  return posteriorIntervals(c, options).mcc;
}
