/** @module Durations given on the command line: `30s`, `2m`, `1500ms`, `1h`, or a bare number of seconds. */

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/** The duration in milliseconds, or null when the text is not one (negative, empty, an unknown unit). */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2] ?? "s"]!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
