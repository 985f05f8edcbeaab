/**
 * @module Small checks and conversions that every format reader needs: narrowing `unknown` JSON values, reading
 * numbers that sources write as strings, parsing JSON that was encoded twice, and turning the many time notations
 * (ISO-8601 with microseconds, epoch milliseconds, `[seconds, nanoseconds]` pairs) into epoch milliseconds.
 *
 * Every function here returns `null` for "not known" rather than a default, so a reader never turns a missing
 * value into 0.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string, or null. */
export function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** A finite number, also from a numeric string ("502" from Python exporters), or null. */
export function num(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * Parses a string that holds JSON (an object, array or quoted string), and returns anything else unchanged.
 * Sources such as Langfuse store inputs as JSON text inside JSON, and sometimes plain text ("None") in the same
 * field, so text that does not parse is kept as text.
 */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const c = firstNonSpace(value);
  if (c !== "{" && c !== "[" && c !== '"') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") return c;
  }
  return "";
}

/** Text for a value that may be text already: strings as they are, anything else as compact JSON. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? null;
}

// Captures the whole-second part and the fractional digits of an ISO-8601 time, so sub-millisecond digits
// (Python writes microseconds) survive as a fractional millisecond instead of being cut by Date.parse.
const ISO_FRACTION = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/;

/** Epoch milliseconds of an ISO-8601 time, keeping microseconds as a fraction; null when it does not parse. */
export function isoToMs(text: string): number | null {
  const m = ISO_FRACTION.exec(text.trim());
  if (!m) {
    const t = Date.parse(text);
    return Number.isFinite(t) ? t : null;
  }
  // A time without a zone is read as UTC: exports write UTC, and the reader must not depend on the machine.
  const base = Date.parse(m[1]! + (m[3] ?? "Z"));
  if (!Number.isFinite(base)) return null;
  const fraction = m[2] ? Number("0." + m[2]) * 1000 : 0;
  return base + fraction;
}

/**
 * Epoch milliseconds from the notations sources use: an ISO string, a number of epoch milliseconds (or seconds,
 * when the number is too small to be milliseconds after 1973), a numeric string, or a `[seconds, nanoseconds]`
 * pair (OpenTelemetry JS `HrTime`, as the Vercel AI SDK spans carry it).
 */
export function timeToMs(value: unknown): number | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return null;
    return value < 1e11 ? value * 1000 : value;
  }
  if (typeof value === "string") {
    if (value === "") return null;
    const n = num(value);
    return n !== null ? timeToMs(n) : isoToMs(value);
  }
  if (Array.isArray(value) && value.length === 2) {
    const s = value[0];
    const ns = value[1];
    if (typeof s === "number" && typeof ns === "number") return s * 1000 + ns / 1e6;
  }
  return null;
}
