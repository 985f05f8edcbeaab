/**
 * @module Time buckets for the monitor: hours when the data spans two days or less, days otherwise, so that a
 * day of live traffic still shows its shape and a month of imports does not become seven hundred points.
 */

export type BucketUnit = "hour" | "day";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The unit for times spanning first..last (epoch ms); at most two days of data is bucketed by the hour. */
export function bucketUnit(first: number, last: number): BucketUnit {
  return last - first <= 2 * DAY ? "hour" : "day";
}

/** The start (epoch ms, UTC) of the bucket holding `time`. */
export function bucketStart(time: number, unit: BucketUnit): number {
  const size = unit === "hour" ? HOUR : DAY;
  return Math.floor(time / size) * size;
}

/** Every bucket start from first's bucket to last's, gaps included, so a quiet hour shows as zero, not as a jump. */
export function bucketRange(first: number, last: number, unit: BucketUnit): number[] {
  const size = unit === "hour" ? HOUR : DAY;
  const starts: number[] = [];
  for (let t = bucketStart(first, unit); t <= last; t += size) starts.push(t);
  return starts;
}
