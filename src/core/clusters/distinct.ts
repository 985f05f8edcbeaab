/**
 * @module Items grouped by a key: the distinct ones once each, in order of first appearance, and for every item the
 * index of its distinct one. Identical vectors are projected once, and items every run labels alike are one point
 * of the consensus's linkage.
 */

export interface Distinct<T> {
  /** The first item of each key, in order of first appearance. */
  values: T[];
  /** For each item, the index in `values` of the one with its key. */
  of: number[];
}

export function distinct<T>(items: readonly T[], key: (item: T) => string): Distinct<T> {
  const index = new Map<string, number>();
  const values: T[] = [];
  const of = items.map((item) => {
    const k = key(item);
    let i = index.get(k);
    if (i === undefined) {
      index.set(k, (i = values.length));
      values.push(item);
    }
    return i;
  });
  return {values, of};
}
