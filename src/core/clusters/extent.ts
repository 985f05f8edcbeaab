/**
 * @module The least and greatest of many numbers. `Math.min(...values)` passes every value as an argument and
 * throws past about a hundred thousand of them, which one signature cluster of a large workspace can hold.
 */
export function minOf(values: Iterable<number>): number {
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  return min;
}

export function maxOf(values: Iterable<number>): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}
