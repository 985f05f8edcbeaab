/**
 * @module Exact nearest neighbours of TF-IDF rows, for UMAP. The rows are sparse, so the Euclidean distance follows
 * from their norms and a dot product (‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b) summed over the terms two rows share
 * through an inverted index: on 2,000 evidence texts this is cheaper than umap-js's approximate search, gives the
 * same neighbours whatever the seed, and is computed once for all the projections of a consensus.
 */

export interface Neighbours {
  /** Per row, its `k` nearest rows, itself first, nearer first (ties to the lower index). */
  indices: number[][];
  distances: number[][];
}

/** The `k` nearest rows of each of `rows`, itself included as the first at distance 0. */
export function exactNeighbours(rows: readonly (readonly number[])[], k: number): Neighbours {
  const n = rows.length;
  const postings = new Map<number, {rows: number[]; values: number[]}>();
  const sparse = rows.map((row, i) => {
    const columns: number[] = [];
    const values: number[] = [];
    row.forEach((v, j) => {
      if (v === 0) return;
      columns.push(j);
      values.push(v);
      let list = postings.get(j);
      if (!list) postings.set(j, (list = {rows: [], values: []}));
      list.rows.push(i);
      list.values.push(v);
    });
    return {columns, values, norm2: values.reduce((sum, v) => sum + v * v, 0)};
  });
  const dot = new Float64Array(n);
  const indices: number[][] = [];
  const distances: number[][] = [];
  const keep = Math.min(k, n);
  for (let i = 0; i < n; i++) {
    dot.fill(0);
    const {columns, values, norm2} = sparse[i]!;
    for (let t = 0; t < columns.length; t++) {
      const list = postings.get(columns[t]!)!;
      const w = values[t]!;
      for (let p = 0; p < list.rows.length; p++) dot[list.rows[p]!]! += w * list.values[p]!;
    }
    // The nearest `keep` by insertion into a short sorted list: k is 15 where n is thousands.
    const near: number[] = [i];
    const far: number[] = [0];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = Math.sqrt(Math.max(0, norm2 + sparse[j]!.norm2 - 2 * dot[j]!));
      if (near.length === keep && d >= far[keep - 1]!) continue;
      let at = near.length;
      while (at > 1 && far[at - 1]! > d) at--;
      near.splice(at, 0, j);
      far.splice(at, 0, d);
      if (near.length > keep) (near.pop(), far.pop());
    }
    indices.push(near);
    distances.push(far);
  }
  return {indices, distances};
}
