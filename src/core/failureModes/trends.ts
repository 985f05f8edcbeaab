/**
 * @module Trend flags of a failure mode from when its traces were seen, relative to a "now" passed in:
 * new, escalating, quiet, regressed, and whether to propose pruning it. Thresholds are options.
 */
import {maxOf, minOf} from "../clusters/extent.js";
import type {FailureModeState} from "../schemas/failureMode.js";

export interface TrendThresholds {
  /** A mode first seen less than this many days ago is new. */
  newDays: number;
  /** The last day's count must exceed the daily average of the `windowDays` before it by this ratio (4/3: a third). */
  escalationRatio: number;
  windowDays: number;
  /** A mode unseen for this many days is quiet. */
  quietDays: number;
  /** A mode unseen for this many days is proposed for pruning. */
  pruneDays: number;
}

export const DEFAULT_TRENDS: TrendThresholds = {
  newDays: 7,
  escalationRatio: 4 / 3,
  windowDays: 7,
  quietDays: 14,
  pruneDays: 90
};

export type TrendFlag = "new" | "escalating" | "quiet" | "regressed";

export interface TrendResult {
  flags: TrendFlag[];
  pruneCandidate: boolean;
  firstSeen: number | null;
  lastSeen: number | null;
  /** Traces seen in the 24 hours before now, and the daily average over the window before that. */
  lastDay: number;
  windowAverage: number;
}

const DAY = 86_400_000;

export function trendFlags(
  seen: readonly number[],
  context: {now: number; state: FailureModeState; resolvedAt: number | null},
  thresholds: TrendThresholds = DEFAULT_TRENDS
): TrendResult {
  const {now} = context;
  const firstSeen = seen.length ? minOf(seen) : null;
  const lastSeen = seen.length ? maxOf(seen) : null;
  const lastDay = seen.filter((t) => t > now - DAY && t <= now).length;
  const windowStart = now - DAY * (1 + thresholds.windowDays);
  const windowAverage = seen.filter((t) => t > windowStart && t <= now - DAY).length / thresholds.windowDays;
  const flags: TrendFlag[] = [];
  if (firstSeen !== null && now - firstSeen < thresholds.newDays * DAY) flags.push("new");
  // A rise needs something to rise from: with nothing seen in the window before the last day, every trace is in
  // one bucket, and that is a first sighting (or one ingest of undated traces), not a trend.
  if (lastDay > 0 && windowAverage > 0 && lastDay > windowAverage * thresholds.escalationRatio)
    flags.push("escalating");
  if (lastSeen !== null && now - lastSeen > thresholds.quietDays * DAY) flags.push("quiet");
  const resolved = context.state === "verified_resolved" || context.state === "regressed";
  if (resolved && context.resolvedAt !== null && lastSeen !== null && lastSeen > context.resolvedAt)
    flags.push("regressed");
  return {
    flags,
    pruneCandidate: lastSeen === null ? false : now - lastSeen > thresholds.pruneDays * DAY,
    firstSeen,
    lastSeen,
    lastDay,
    windowAverage
  };
}

/** Traces per UTC day over the `days` days up to now, oldest first: the sparkline of a mode or cluster. */
export function dailyCounts(seen: readonly number[], now: number, days = 30): {day: number; count: number}[] {
  const today = Math.floor(now / DAY) * DAY;
  const counts = new Map<number, number>();
  for (const t of seen) {
    const day = Math.floor(t / DAY) * DAY;
    if (day > today - days * DAY && day <= today) counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return Array.from({length: days}, (_, i) => {
    const day = today - (days - 1 - i) * DAY;
    return {day, count: counts.get(day) ?? 0};
  });
}
