/**
 * @module Fleiss' kappa: agreement among a fixed number of raters per item, beyond chance (Fleiss 1971).
 *
 * Each item must have the same number m ≥ 2 of ratings; P_i = (Σ_j n_ij² − m) / (m(m − 1)), P̄ their mean,
 * p_j the share of all ratings in category j, P̄_e = Σ p_j², kappa = (P̄ − P̄_e) / (1 − P̄_e).
 */
import {defined, undefinedBecause, type Metric} from "../calibration/metric.js";

/** `items[i]` holds item i's ratings, one per rater; every item must have the same number of them. */
export function fleissKappa(items: readonly (readonly string[])[]): Metric {
  if (!items.length) return undefinedBecause("no item was rated by every rater");
  const m = items[0]!.length;
  if (m < 2) return undefinedBecause("fewer than two raters per item");
  if (items.some((ratings) => ratings.length !== m))
    throw new Error("invalid items: Fleiss' kappa needs the same number of ratings on every item");
  const totals = new Map<string, number>();
  let agreement = 0;
  for (const ratings of items) {
    const counts = new Map<string, number>();
    for (const r of ratings) counts.set(r, (counts.get(r) ?? 0) + 1);
    let squares = 0;
    for (const [category, c] of counts) {
      squares += c * c;
      totals.set(category, (totals.get(category) ?? 0) + c);
    }
    agreement += (squares - m) / (m * (m - 1));
  }
  const observed = agreement / items.length;
  let expected = 0;
  for (const c of totals.values()) expected += (c / (items.length * m)) ** 2;
  if (expected === 1) return undefinedBecause("every rating has the same category, so chance agreement is total");
  return defined((observed - expected) / (1 - expected));
}
