/** @module Percentiles of a sample, as latency dashboards report them. */

/**
 * The p-quantile (0 ≤ p ≤ 1) of the values, interpolated linearly between the two nearest ranks (the "type 7"
 * definition of R, NumPy and d3), or null for no values. `values` need not be sorted; it is not changed.
 */
export function quantile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

/** The median, or null for no values. */
export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}
