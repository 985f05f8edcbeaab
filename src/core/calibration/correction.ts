/**
 * @module The true failure rate of unlabeled traffic, corrected for the judge's errors (Rogan–Gladen), with a
 * bootstrap interval, as the `judgy` library computes it.
 *
 * If the judge fails a share p_obs of unlabeled traces, and on labelled traces catches failures at rate TPR and
 * passes good traces at rate TNR, then the true failure share θ satisfies p_obs = θ·TPR + (1 − θ)(1 − TNR), so
 * θ = (p_obs + TNR − 1) / (TPR + TNR − 1), clipped to [0, 1]. With TPR + TNR ≤ 1 the judge is no better than
 * chance and θ cannot be recovered. Like judgy, the point estimate uses the full labelled set and the interval
 * treats the judge's error rates as the uncertain part, keeping p_obs fixed. Unlike judgy, TPR and TNR are drawn
 * from their Beta posteriors under Jeffreys' prior (Beta(tp + ½, fn + ½) and Beta(tn + ½, fp + ½)) instead of from
 * bootstrap resamples: resampling a judge that made no mistake on its few labels gives TPR = TNR = 1 every time,
 * and so a corrected rate with no width at all. Draws where TPR + TNR ≤ 1 are left out, and their share reported.
 */
import {randomBeta} from "d3-random";
import {percentileInterval, type Interval} from "./bootstrap.js";
import {PRIOR_PER_CELL} from "./posterior.js";
import type {Confusion} from "./confusion.js";
import {defined, undefinedBecause, type Metric} from "./metric.js";
import {seededRandom} from "./rng.js";

export interface CorrectedRate {
  /** The judge's raw failure share on the unlabeled traces. */
  observed: Metric;
  /** The corrected true failure share. */
  corrected: Metric;
  interval: Interval;
  unlabeled: number;
}

export function roganGladen(observedFailRate: number, c: Confusion): Metric {
  const fails = c.tp + c.fn;
  const passes = c.tn + c.fp;
  if (fails === 0) return undefinedBecause("no human-labelled failure, so the judge's true positive rate is unknown");
  if (passes === 0) return undefinedBecause("no human-labelled pass, so the judge's true negative rate is unknown");
  const tpr = c.tp / fails;
  const tnr = c.tn / passes;
  if (tpr + tnr <= 1) {
    return undefinedBecause(
      `TPR + TNR = ${(tpr + tnr).toFixed(3)} ≤ 1: the judge is no better than chance, so its verdicts cannot be corrected`
    );
  }
  return correctedFrom(observedFailRate, tpr, tnr);
}

export function correctedFailureRate(
  labelled: Confusion,
  unlabeled: {fail: number; total: number},
  options: {resamples?: number; confidence?: number; seed?: number} = {}
): CorrectedRate {
  if (unlabeled.total === 0) {
    const none = undefinedBecause("no unlabeled verdicts to correct");
    return {observed: none, corrected: none, interval: {undefined: "no unlabeled verdicts to correct"}, unlabeled: 0};
  }
  const observedRate = unlabeled.fail / unlabeled.total;
  const corrected = roganGladen(observedRate, labelled);
  if ("undefined" in corrected) {
    return {
      observed: defined(observedRate),
      corrected,
      interval: {undefined: corrected.undefined},
      unlabeled: unlabeled.total
    };
  }
  const beta = randomBeta.source(seededRandom(options.seed ?? 1));
  const tprDraw = beta(labelled.tp + PRIOR_PER_CELL, labelled.fn + PRIOR_PER_CELL);
  const tnrDraw = beta(labelled.tn + PRIOR_PER_CELL, labelled.fp + PRIOR_PER_CELL);
  const samples: Metric[] = [];
  for (let i = 0; i < (options.resamples ?? 20_000); i++)
    samples.push(correctedFrom(observedRate, tprDraw(), tnrDraw()));
  return {
    observed: defined(observedRate),
    corrected,
    interval: percentileInterval(samples, options.confidence ?? 0.95, "posterior"),
    unlabeled: unlabeled.total
  };
}

/** The corrected share for given judge rates (the measured ones, or one posterior draw), clipped to [0, 1]. */
function correctedFrom(observedFailRate: number, tpr: number, tnr: number): Metric {
  const denominator = tpr + tnr - 1;
  if (denominator <= 0) return undefinedBecause("TPR + TNR ≤ 1 in this draw");
  return defined(Math.min(1, Math.max(0, (observedFailRate + tnr - 1) / denominator)));
}
