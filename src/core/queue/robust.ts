/**
 * @module Robust outlier scores: the modified z-score of Iglewicz and Hoaglin, 0.6745·(x − median) / MAD.
 *
 * Median and MAD are not dragged by the outliers they are meant to find, unlike mean and standard deviation;
 * a modified z above 3.5 is their suggested outlier threshold.
 */

export const OUTLIER_Z = 3.5;

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface RobustScale {
  median: number;
  mad: number;
  /** Mean absolute deviation from the median: the fallback spread when the MAD is 0. */
  meanAd: number;
}

/** Median and median absolute deviation of the finite values; null when there are none. */
export function robustScale(values: readonly (number | null)[]): RobustScale | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const m = median(finite);
  if (m === null) return null;
  const deviations = finite.map((v) => Math.abs(v - m));
  return {median: m, mad: median(deviations)!, meanAd: deviations.reduce((a, b) => a + b, 0) / deviations.length};
}

/**
 * The modified z-score of `value`. When more than half the values are equal the MAD is 0; then the mean absolute
 * deviation stands in, scaled by 1.253314 so that it estimates the same spread for normal data (the usual
 * fallback). Only when every value is equal is there no spread at all, and every value scores 0.
 */
export function modifiedZ(value: number | null, scale: RobustScale | null): number | null {
  if (value === null || !Number.isFinite(value) || scale === null) return null;
  const deviation = value - scale.median;
  if (scale.mad > 0) return (0.6745 * deviation) / scale.mad;
  return scale.meanAd > 0 ? deviation / (1.253314 * scale.meanAd) : 0;
}

/** Modified z-scores computed within groups (e.g. per model), so a large model is not an outlier among small ones. */
export function groupedModifiedZ(
  values: readonly (number | null)[],
  groups: readonly (string | null)[]
): (number | null)[] {
  const byGroup = new Map<string, number[]>();
  values.forEach((_, i) => {
    const key = groups[i] ?? "";
    let list = byGroup.get(key);
    if (!list) byGroup.set(key, (list = []));
    list.push(i);
  });
  const out: (number | null)[] = Array(values.length).fill(null);
  for (const indexes of byGroup.values()) {
    const scale = robustScale(indexes.map((i) => values[i]!));
    for (const i of indexes) out[i] = modifiedZ(values[i]!, scale);
  }
  return out;
}
