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
}

/** Median and median absolute deviation of the finite values; null when there are none. */
export function robustScale(values: readonly (number | null)[]): RobustScale | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const m = median(finite);
  if (m === null) return null;
  return {median: m, mad: median(finite.map((v) => Math.abs(v - m)))!};
}

/**
 * The modified z-score of `value`. When more than half the values are equal the MAD is 0; then any value off the
 * median is infinitely far by this measure, and we report a large finite score so ordering still works.
 */
export function modifiedZ(value: number | null, scale: RobustScale | null): number | null {
  if (value === null || !Number.isFinite(value) || scale === null) return null;
  const deviation = value - scale.median;
  if (scale.mad === 0) return deviation === 0 ? 0 : Math.sign(deviation) * 10;
  return (0.6745 * deviation) / scale.mad;
}

/** Modified z-scores computed within groups (e.g. per model), so a large model is not an outlier among small ones. */
export function groupedModifiedZ(values: readonly (number | null)[], groups: readonly (string | null)[]): (number | null)[] {
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
