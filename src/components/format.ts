/**
 * @module Formatting numbers, times and durations for the explorer. An unknown value is shown as "—", never as 0:
 * a trace whose source reported no tokens did not use zero tokens.
 */

export const NONE = "—";

const integer = new Intl.NumberFormat("en-US", {maximumFractionDigits: 0});

export function count(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? NONE : integer.format(value);
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function cost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return NONE;
  if (usd === 0) return "$0";
  // Two significant digits below a cent: a model call often costs a few hundredths of a cent.
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;
}

/** UTC date and time to the second, sortable and unambiguous across time zones. */
export function timestamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

export function text(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? NONE : value;
}

/** Pretty-prints a JSON string; other text is returned as it is. */
export function prettyJson(value: string | null): string {
  if (value === null) return NONE;
  const trimmed = value.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return value;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return value;
  }
}

/**
 * `value` cut to at most `max` characters on a word boundary, with an ellipsis when anything was cut. A word longer
 * than `max` on its own is cut inside it, since there is no boundary to cut on.
 */
export function shorten(value: string, max: number, ellipsis = "…"): string {
  if (value.length <= max) return value;
  const room = max - ellipsis.length;
  const head = value.slice(0, room + 1);
  const boundary = head.search(/\s\S*$/);
  const cut = boundary > room / 2 ? head.slice(0, boundary) : value.slice(0, room);
  return `${cut.replace(/[\s,.;:·—-]+$/, "")}${ellipsis}`;
}
