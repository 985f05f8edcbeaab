/**
 * @module Time buckets for the monitor, as wide as the data's span asks: hours for two days or less, so a day of
 * live traffic shows its shape; days up to 90 days; weeks up to two years; months beyond, so that a workspace of
 * imports spanning years is a few dozen points, not thousands. Buckets are UTC; weeks start on Monday.
 */

export type BucketUnit = "hour" | "day" | "week" | "month";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// 1970-01-01 was a Thursday: Monday-based weeks are offset by four days from the epoch.
const MONDAY = 4 * DAY;

/** The unit for times spanning first..last (epoch ms). */
export function bucketUnit(first: number, last: number): BucketUnit {
  const span = last - first;
  if (span <= 2 * DAY) return "hour";
  if (span <= 90 * DAY) return "day";
  if (span <= 730 * DAY) return "week";
  return "month";
}

/** The start (epoch ms, UTC) of the bucket holding `time`. */
export function bucketStart(time: number, unit: BucketUnit): number {
  switch (unit) {
    case "hour":
      return Math.floor(time / HOUR) * HOUR;
    case "day":
      return Math.floor(time / DAY) * DAY;
    case "week":
      return Math.floor((time - MONDAY) / WEEK) * WEEK + MONDAY;
    case "month": {
      const date = new Date(time);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    }
  }
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, unit: BucketUnit): number {
  if (unit === "month") {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return start + (unit === "hour" ? HOUR : unit === "day" ? DAY : WEEK);
}

/** Every bucket start from first's bucket to last's, gaps included, so a quiet hour shows as zero, not as a jump. */
export function bucketRange(first: number, last: number, unit: BucketUnit): number[] {
  const starts: number[] = [];
  for (let t = bucketStart(first, unit); t <= last; t = nextBucket(t, unit)) starts.push(t);
  return starts;
}
