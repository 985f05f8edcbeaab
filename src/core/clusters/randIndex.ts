/**
 * @module How well a clustering matches known classes: purity and the adjusted Rand index (Hubert & Arabie 1985).
 * Both take one predicted and one true label per item, as strings or numbers.
 */
import {maxOf} from "./extent.js";

type Label = string | number;

function contingency(predicted: readonly Label[], truth: readonly Label[]): Map<Label, Map<Label, number>> {
  if (predicted.length !== truth.length)
    throw new Error(`invalid labels: ${predicted.length} predicted for ${truth.length} true`);
  const table = new Map<Label, Map<Label, number>>();
  predicted.forEach((p, i) => {
    const row = table.get(p) ?? new Map<Label, number>();
    row.set(truth[i]!, (row.get(truth[i]!) ?? 0) + 1);
    table.set(p, row);
  });
  return table;
}

/** The share of items whose cluster's majority class is their own class; 1 is perfect, and trivial for singletons. */
export function purity(predicted: readonly Label[], truth: readonly Label[]): number {
  if (predicted.length === 0) return NaN;
  let majority = 0;
  for (const row of contingency(predicted, truth).values()) majority += maxOf(row.values());
  return majority / predicted.length;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** Rand index corrected for chance: 1 for identical partitions, about 0 for random ones, negative below chance. */
export function adjustedRandIndex(predicted: readonly Label[], truth: readonly Label[]): number {
  const n = predicted.length;
  const table = contingency(predicted, truth);
  let index = 0;
  const columns = new Map<Label, number>();
  let rowPairs = 0;
  for (const row of table.values()) {
    let size = 0;
    for (const [label, count] of row) {
      index += pairs(count);
      size += count;
      columns.set(label, (columns.get(label) ?? 0) + count);
    }
    rowPairs += pairs(size);
  }
  let columnPairs = 0;
  for (const count of columns.values()) columnPairs += pairs(count);
  const expected = (rowPairs * columnPairs) / pairs(n);
  const max = (rowPairs + columnPairs) / 2;
  // Both partitions put everything in one cluster (or every item alone): they agree, and chance agrees too.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
