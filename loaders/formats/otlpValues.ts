/**
 * @module OTLP/JSON value decoding: `AnyValue` attribute values, ids and nanosecond times. Called for every
 * attribute and span of the ingest hot path, so each function is a few plain checks with no allocation beyond
 * the value it returns.
 */
import {RecordError} from "./reader.js";
import type {JsonRecord} from "./values.js";

/** An OTLP `AnyValue` as a plain JSON value; an empty or unknown value is null. */
export function anyValue(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return null;
  const o = v as JsonRecord;
  let x = o.stringValue;
  if (x !== undefined) return x;
  x = o.intValue;
  if (x !== undefined) {
    if (typeof x !== "string") return x;
    // Integers beyond 2^53 stay decimal strings rather than silently lose digits.
    const n = Number(x);
    return Number.isSafeInteger(n) ? n : x;
  }
  x = o.doubleValue;
  if (x !== undefined) {
    // Protobuf's JSON mapping writes NaN and infinities as strings; JSON has no other way to hold them.
    if (typeof x !== "string") return x;
    const n = Number(x);
    return Number.isFinite(n) ? n : x;
  }
  x = o.boolValue;
  if (x !== undefined) return x;
  x = o.arrayValue;
  if (x !== undefined) {
    const values = typeof x === "object" && x !== null ? (x as JsonRecord).values : undefined;
    if (!Array.isArray(values)) return [];
    const out = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = anyValue(values[i]);
    return out;
  }
  x = o.kvlistValue;
  if (x !== undefined) {
    const values = typeof x === "object" && x !== null ? (x as JsonRecord).values : undefined;
    const out: JsonRecord = {};
    if (!Array.isArray(values)) return out;
    for (const kv of values) {
      if (typeof kv === "object" && kv !== null && typeof (kv as JsonRecord).key === "string") {
        out[(kv as JsonRecord).key as string] = anyValue((kv as JsonRecord).value);
      }
    }
    return out;
  }
  x = o.bytesValue;
  if (x !== undefined) return x;
  return null;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * A span or trace id as lower-case hex. Exporters write hex (some in upper case); protobuf's canonical JSON
 * mapping writes base64, recognisable by its length (24 characters for 16 bytes, 12 for 8) and non-hex digits.
 */
export function otlpId(v: unknown, n: number, field: string, unit = "span"): string {
  if (typeof v !== "string") {
    throw new RecordError(`${unit} ${n}: ${field} ${v === undefined || v === null ? "missing" : "is not a string"}`);
  }
  if (v.length === 0) throw new RecordError(`${unit} ${n}: ${field} is empty`);
  if ((v.length === 24 || v.length === 12) && !HEX.test(v)) return base64ToHex(v, `${unit} ${n}: ${field}`);
  return v.toLowerCase();
}

function base64ToHex(v: string, where: string): string {
  let bytes: string;
  try {
    bytes = atob(v);
  } catch {
    throw new RecordError(`${where} is neither hex nor base64: ${v}`);
  }
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

/**
 * Epoch milliseconds from a `*UnixNano` value. The decimal digits are read in two parts, whole milliseconds and
 * the last six digits as the fraction, so the result is exact to the nanosecond's float precision without BigInt
 * or substring allocation. "0" or absent is unknown.
 */
export function nanosToMs(v: unknown, n: number, field: string): number | null {
  if (typeof v === "string") {
    const len = v.length;
    if (len === 0 || v === "0") return null;
    const split = len > 6 ? len - 6 : 0;
    let ms = 0;
    let frac = 0;
    for (let i = 0; i < len; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw new RecordError(`span ${n}: ${field} is not a decimal number: ${v}`);
      if (i < split) ms = ms * 10 + d;
      else frac = frac * 10 + d;
    }
    const result = split > 0 ? ms + frac / 1e6 : frac / 1e6;
    return result === 0 ? null : result;
  }
  if (typeof v === "number") return v > 0 && Number.isFinite(v) ? v / 1e6 : null;
  if (v === undefined || v === null) return null;
  throw new RecordError(`span ${n}: ${field} is not a decimal string`);
}
