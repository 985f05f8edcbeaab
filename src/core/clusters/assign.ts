/**
 * @module Clusters for traces the clustering was not fitted on: each cluster's centroid is the mean TF-IDF row of
 * the sample's members, and every other trace joins the centroid it is most similar to (cosine). Fitting UMAP and
 * k-means on a sample and assigning the rest this way keeps a run over 100,000 flagged traces linear in their number.
 */
import type {SparseRow} from "./tfidf.js";

/** L2-normalised mean rows per label (labels 0…k−1); a label without members gets a zero centroid. */
export function centroidsOf(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  k: number
): Float64Array[] {
  const width = rows[0]?.length ?? 0;
  const sums = Array.from({length: k}, () => new Float64Array(width));
  rows.forEach((row, i) => {
    const label = labels[i]!;
    if (label < 0 || label >= k) return;
    const sum = sums[label]!;
    for (let j = 0; j < width; j++) sum[j]! += row[j]!;
  });
  for (const sum of sums) {
    let norm = 0;
    for (const v of sum) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < width; j++) sum[j]! /= norm;
  }
  return sums;
}

/**
 * The label of the most similar centroid, ties to the lower label. A row that shares no term with any centroid
 * joins `fallback` (label 0, the largest cluster, unless told otherwise).
 */
export function nearestCentroid(row: SparseRow, centroids: readonly Float64Array[], fallback = 0): number {
  let best = fallback;
  let score = 0;
  centroids.forEach((centroid, label) => {
    let s = 0;
    for (let i = 0; i < row.columns.length; i++) s += row.values[i]! * centroid[row.columns[i]!]!;
    if (s > score) [score, best] = [s, label];
  });
  return best;
}
