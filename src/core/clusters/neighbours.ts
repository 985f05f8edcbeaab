/**
 * @module Exact nearest neighbours of TF-IDF rows, for UMAP. The rows are sparse, so the Euclidean distance follows
 * from their norms and a dot product (‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b) summed over the terms two rows share
 * through an inverted index: on 2,000 evidence texts this is cheaper than umap-js's approximate search, gives the
 * same neighbours whatever the seed, and is computed once for all the projections of a consensus. Dense rows
 * (embeddings from an endpoint) take a plain loop over a typed array instead.
 */

export interface Neighbours {
  /** Per row, its `k` nearest rows, itself first, nearer first (ties to the lower index). */
  indices: number[][];
  distances: number[][];
}

/** The `k` nearest rows of each of `rows`, itself included as the first at distance 0. */
export function exactNeighbours(rows: readonly (readonly number[])[], k: number): Neighbours {
  const n = rows.length;
  const keep = Math.min(k, n);
  const norm2 = Float64Array.from(rows, (row) => row.reduce((sum, v) => sum + v * v, 0));
  const indices = rows.map((_, i) => [i]);
  const distances = rows.map(() => [0]);
  // Candidates reach each row in increasing index order, so an equally near later row never displaces one listed.
  const offer = (i: number, j: number, dot: number) => {
    const d = Math.sqrt(Math.max(0, norm2[i]! + norm2[j]! - 2 * dot));
    const near = indices[i]!;
    const far = distances[i]!;
    if (near.length === keep && d >= far[keep - 1]!) return;
    let at = near.length;
    while (at > 1 && far[at - 1]! > d) at--;
    near.splice(at, 0, j);
    far.splice(at, 0, d);
    if (near.length > keep) (near.pop(), far.pop());
  };
  const width = rows[0]?.length ?? 0;
  let nonZero = 0;
  for (const row of rows) for (const v of row) if (v !== 0) nonZero++;
  if (nonZero > (n * width) / 4) {
    // Dense rows (embeddings from an endpoint): each pair's dot product once, over one flat typed array.
    const flat = new Float64Array(n * width);
    rows.forEach((row, i) => flat.set(row, i * width));
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const a = i * width;
        const b = j * width;
        let sum = 0;
        for (let d = 0; d < width; d++) sum += flat[a + d]! * flat[b + d]!;
        offer(i, j, sum);
        offer(j, i, sum);
      }
    return {indices, distances};
  }
  // Sparse rows (TF-IDF): each row's dot products with all others through an inverted index of its terms.
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
    return {columns, values};
  });
  const dot = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dot.fill(0);
    const {columns, values} = sparse[i]!;
    for (let t = 0; t < columns.length; t++) {
      const list = postings.get(columns[t]!)!;
      const w = values[t]!;
      for (let p = 0; p < list.rows.length; p++) dot[list.rows[p]!]! += w * list.values[p]!;
    }
    for (let j = 0; j < n; j++) if (j !== i) offer(i, j, dot[j]!);
  }
  return {indices, distances};
}
