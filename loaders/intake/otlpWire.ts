/**
 * @module Decodes a protobuf `ExportTraceServiceRequest` straight from its bytes into the OTLP/JSON form the file
 * ingest reads, in one pass, and says on the way what the receiver must know before it answers: how many spans,
 * which traces, and whether anything in it could be refused by the OTLP reader (a span without an id, an attribute
 * without a key), which only then is read in full.
 *
 * protobufjs decodes the same messages (otlpProto.ts keeps it, for encoding and as this decoder's reference in
 * tests), but through three passes: into message objects, into plain objects with ids as base64, then ids to hex.
 * On 512-span requests that was five times the cost of `JSON.parse` on the same spans as JSON, the largest single
 * cost of the request path; the OpenTelemetry JavaScript exporters hand-write their encoder for the same reason.
 *
 * What comes out is exactly what protobufjs's `toObject` gives (the tests compare them over mutated real requests):
 * proto3 presence (a zero scalar is left out; a oneof member is kept, the last one wins), a repeated embedded
 * message field appends and a singular one merges, a field of the wrong wire type is skipped as unknown, 64-bit
 * integers are decimal strings, bytes base64, trace and span ids lower-case hex (an empty id left out), strings
 * must be valid UTF-8, nesting stops at protobufjs's depth of 100. The one deliberate difference: a double that is
 * NaN or infinite is the string OTLP/JSON writes ("NaN", "Infinity", "-Infinity") rather than a number that JSON
 * cannot hold.
 *
 * `wireRequestText` writes the same request straight to its OTLP/JSON text (what the receiver logs) for requests
 * encoded the usual way, with no objects in between; the rest go through `decodeWireRequest`.
 */

import {isUtf8} from "node:buffer";

/** The bytes are not a protobuf message of this shape (the receiver answers 400 with this message). */
export class WireError extends Error {
  override readonly name = "WireError";
}

export interface WireRequest {
  /** The request in its OTLP/JSON form. */
  value: {resourceSpans?: Record<string, unknown>[]};
  spans: number;
  /** The ids of the traces its spans belong to (lower-case hex). */
  traceIds: Set<string>;
  /**
   * True when some span has no trace or span id, or some attribute the OTLP reader flattens (the resource's,
   * a span's, an event's) has no key: the only things in a decoded request the reader can refuse.
   */
  suspect: boolean;
}

type Obj = Record<string, unknown>;

const MAX_DEPTH = 100;
const utf8 = new TextDecoder("utf-8", {fatal: true, ignoreBOM: true});
const HEX: string[] = Array.from({length: 256}, (_, i) => i.toString(16).padStart(2, "0"));

let buf: Uint8Array = new Uint8Array(0);
let view: DataView = new DataView(buf.buffer);
let pos = 0;
let summary: WireRequest = {value: {}, spans: 0, traceIds: new Set(), suspect: false};

function outOfRange(): never {
  throw new WireError(`index out of range: ${pos} of ${buf.length} bytes`);
}

/** A varint as an unsigned 32-bit number (higher bits dropped, as protobuf does for 32-bit fields). */
function uint32(): number {
  let value = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (pos >= buf.length) outOfRange();
    const b = buf[pos++]!;
    if (shift < 32) value |= (b & 0x7f) << shift;
    if (b < 0x80) return value >>> 0;
  }
  throw new WireError(`invalid varint encoding at ${pos}`);
}

/** A varint as a bool: true when any of its bits is set. */
function bool(): boolean {
  let value = false;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) outOfRange();
    const b = buf[pos++]!;
    if (b & 0x7f) value = true;
    if (b < 0x80) return value;
  }
  throw new WireError(`invalid varint encoding at ${pos}`);
}

/** A varint as a 64-bit integer in decimal; `signed` reads it as two's complement. */
function int64(signed: boolean): string {
  let lo = 0;
  let hi = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift >= 70) throw new WireError(`invalid varint encoding at ${pos}`);
    if (pos >= buf.length) outOfRange();
    const b = buf[pos++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >> 4;
    } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32);
    if (b < 0x80) break;
  }
  return decimal(lo >>> 0, hi >>> 0, signed);
}

function decimal(lo: number, hi: number, signed: boolean): string {
  if (hi === 0) return String(lo);
  if (!signed || hi < 0x80000000) {
    if (hi < 0x200000) return String(hi * 0x100000000 + lo);
    return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
  }
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function fixed64(): string {
  if (pos + 8 > buf.length) outOfRange();
  const lo = view.getUint32(pos, true);
  const hi = view.getUint32(pos + 4, true);
  pos += 8;
  return decimal(lo, hi, false);
}

function fixed32(): number {
  if (pos + 4 > buf.length) outOfRange();
  const value = view.getUint32(pos, true);
  pos += 4;
  return value;
}

function double(): number | string {
  if (pos + 8 > buf.length) outOfRange();
  const value = view.getFloat64(pos, true);
  pos += 8;
  return Number.isFinite(value) ? value : String(value);
}

/** The end of a length-delimited field that starts at `pos`. */
function delimited(): number {
  const length = uint32();
  const end = pos + length;
  if (end > buf.length) outOfRange();
  return end;
}

function string(): string {
  const end = delimited();
  const start = pos;
  pos = end;
  let ascii = true;
  for (let i = start; i < end; i++)
    if (buf[i]! >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) return end - start < 16 ? String.fromCharCode(...buf.subarray(start, end)) : latin1(start, end);
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new WireError(`invalid UTF-8 in a string at ${start}`);
  }
}

function latin1(start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1");
}

function bytes(): Uint8Array {
  const end = delimited();
  const value = buf.subarray(pos, end);
  pos = end;
  return value;
}

function hex(value: Uint8Array): string {
  let out = "";
  for (let i = 0; i < value.length; i++) out += HEX[value[i]!];
  return out;
}

function base64(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.length).toString("base64");
}

function skip(wire: number, field: number, depth: number): void {
  switch (wire) {
    case 0:
      uint32();
      return;
    case 1:
      if ((pos += 8) > buf.length) outOfRange();
      return;
    case 2:
      pos = delimited();
      return;
    case 3:
      if (depth > MAX_DEPTH) throw new WireError("max depth exceeded");
      for (;;) {
        const tag = uint32();
        if ((tag & 7) === 4) {
          if (tag >>> 3 !== field) throw new WireError(`invalid end group at ${pos}`);
          return;
        }
        skip(tag & 7, tag >>> 3, depth + 1);
      }
    case 5:
      if ((pos += 4) > buf.length) outOfRange();
      return;
    default:
      throw new WireError(`invalid wire type ${wire} at offset ${pos}`);
  }
}

/** Sets a proto3 scalar without presence: a zero value clears it, as a later default does in protobufjs. */
function put(into: Obj, key: string, value: unknown, zero: boolean): void {
  if (zero) delete into[key];
  else into[key] = value;
}

function push(into: Obj, key: string, value: Obj): void {
  const list = into[key] as Obj[] | undefined;
  if (list) list.push(value);
  else into[key] = [value];
}

function child(into: Obj, key: string): Obj {
  return (into[key] as Obj | undefined) ?? (into[key] = {});
}

/** Reads one message's fields up to `end` into `into`, with `field` deciding each known one (false: unknown). */
function message(
  end: number,
  into: Obj,
  depth: number,
  field: (into: Obj, number: number, wire: number, depth: number) => boolean
): Obj {
  if (depth > MAX_DEPTH) throw new WireError("max depth exceeded");
  while (pos < end) {
    const tag = uint32();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (!field(into, number, wire, depth)) skip(wire, number, depth);
  }
  if (pos !== end) outOfRange();
  return into;
}

function anyValue(into: Obj, number: number, wire: number, depth: number): boolean {
  let key: string;
  let value: unknown;
  switch (number) {
    case 1:
      if (wire !== 2) return false;
      key = "stringValue";
      value = string();
      break;
    case 2:
      if (wire !== 0) return false;
      key = "boolValue";
      value = bool();
      break;
    case 3:
      if (wire !== 0) return false;
      key = "intValue";
      value = int64(true);
      break;
    case 4:
      if (wire !== 1) return false;
      key = "doubleValue";
      value = double();
      break;
    case 5:
    case 6: {
      if (wire !== 2) return false;
      key = number === 5 ? "arrayValue" : "kvlistValue";
      const end = delimited();
      value = message(end, (into[key] as Obj | undefined) ?? {}, depth + 1, number === 5 ? arrayValue : kvlist);
      break;
    }
    case 7:
      if (wire !== 2) return false;
      key = "bytesValue";
      value = base64(bytes());
      break;
    default:
      return false;
  }
  // A oneof: setting one member clears the others.
  for (const other of ONEOF) if (other !== key) delete into[other];
  into[key] = value;
  return true;
}

const ONEOF = ["stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"];

function arrayValue(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number !== 1 || wire !== 2) return false;
  push(into, "values", message(delimited(), {}, depth + 1, anyValue));
  return true;
}

function kvlist(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number !== 1 || wire !== 2) return false;
  push(into, "values", message(delimited(), {}, depth + 1, keyValue));
  return true;
}

function keyValue(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) {
    const key = string();
    put(into, "key", key, key.length === 0);
    return true;
  }
  if (number === 2 && wire === 2) {
    message(delimited(), child(into, "value"), depth + 1, anyValue);
    return true;
  }
  return false;
}

/** A repeated `KeyValue` field the OTLP reader flattens: a pair without a key makes the request suspect. */
function attribute(into: Obj, key: string, depth: number): void {
  const kv = message(delimited(), {}, depth + 1, keyValue);
  if (kv.key === undefined) summary.suspect = true;
  push(into, key, kv);
}

function resource(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) attribute(into, "attributes", depth);
  else if (number === 2 && wire === 0) {
    const n = uint32();
    put(into, "droppedAttributesCount", n, n === 0);
  } else return false;
  return true;
}

function scope(into: Obj, number: number, wire: number, depth: number): boolean {
  if ((number === 1 || number === 2) && wire === 2) {
    const s = string();
    put(into, number === 1 ? "name" : "version", s, s.length === 0);
  } else if (number === 3 && wire === 2) push(into, "attributes", message(delimited(), {}, depth + 1, keyValue));
  else if (number === 4 && wire === 0) {
    const n = uint32();
    put(into, "droppedAttributesCount", n, n === 0);
  } else return false;
  return true;
}

function id(into: Obj, key: string): void {
  const value = bytes();
  put(into, key, value.length ? hex(value) : "", value.length === 0);
}

function span(into: Obj, number: number, wire: number, depth: number): boolean {
  switch (number) {
    case 1:
    case 2:
    case 4:
      if (wire !== 2) return false;
      id(into, number === 1 ? "traceId" : number === 2 ? "spanId" : "parentSpanId");
      return true;
    case 3:
    case 5: {
      if (wire !== 2) return false;
      const s = string();
      put(into, number === 3 ? "traceState" : "name", s, s.length === 0);
      return true;
    }
    case 6: {
      if (wire !== 0) return false;
      const kind = uint32() | 0;
      put(into, "kind", kind, kind === 0);
      return true;
    }
    case 7:
    case 8: {
      if (wire !== 1) return false;
      const t = fixed64();
      put(into, number === 7 ? "startTimeUnixNano" : "endTimeUnixNano", t, t === "0");
      return true;
    }
    case 9:
      if (wire !== 2) return false;
      attribute(into, "attributes", depth);
      return true;
    case 10:
    case 12:
    case 14: {
      if (wire !== 0) return false;
      const n = uint32();
      const key = number === 10 ? "droppedAttributesCount" : number === 12 ? "droppedEventsCount" : "droppedLinksCount";
      put(into, key, n, n === 0);
      return true;
    }
    case 11:
      if (wire !== 2) return false;
      push(into, "events", message(delimited(), {}, depth + 1, event));
      return true;
    case 13:
      if (wire !== 2) return false;
      push(into, "links", message(delimited(), {}, depth + 1, link));
      return true;
    case 15:
      if (wire !== 2) return false;
      message(delimited(), child(into, "status"), depth + 1, status);
      return true;
    case 16: {
      if (wire !== 5) return false;
      const flags = fixed32();
      put(into, "flags", flags, flags === 0);
      return true;
    }
    default:
      return false;
  }
}

function event(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 1) {
    const t = fixed64();
    put(into, "timeUnixNano", t, t === "0");
  } else if (number === 2 && wire === 2) {
    const s = string();
    put(into, "name", s, s.length === 0);
  } else if (number === 3 && wire === 2) attribute(into, "attributes", depth);
  else if (number === 4 && wire === 0) {
    const n = uint32();
    put(into, "droppedAttributesCount", n, n === 0);
  } else return false;
  return true;
}

function link(into: Obj, number: number, wire: number, depth: number): boolean {
  if ((number === 1 || number === 2) && wire === 2) id(into, number === 1 ? "traceId" : "spanId");
  else if (number === 3 && wire === 2) {
    const s = string();
    put(into, "traceState", s, s.length === 0);
  } else if (number === 4 && wire === 2) push(into, "attributes", message(delimited(), {}, depth + 1, keyValue));
  else if (number === 5 && wire === 0) {
    const n = uint32();
    put(into, "droppedAttributesCount", n, n === 0);
  } else if (number === 6 && wire === 5) {
    const flags = fixed32();
    put(into, "flags", flags, flags === 0);
  } else return false;
  return true;
}

function status(into: Obj, number: number, wire: number): boolean {
  if (number === 2 && wire === 2) {
    const s = string();
    put(into, "message", s, s.length === 0);
  } else if (number === 3 && wire === 0) {
    const code = uint32() | 0;
    put(into, "code", code, code === 0);
  } else return false;
  return true;
}

function scopeSpans(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) message(delimited(), child(into, "scope"), depth + 1, scope);
  else if (number === 2 && wire === 2) {
    const s = message(delimited(), {}, depth + 1, span);
    summary.spans++;
    const traceId = s.traceId;
    if (typeof traceId === "string") summary.traceIds.add(traceId);
    if (traceId === undefined || s.spanId === undefined) summary.suspect = true;
    push(into, "spans", s);
  } else if (number === 3 && wire === 2) {
    const s = string();
    put(into, "schemaUrl", s, s.length === 0);
  } else return false;
  return true;
}

function resourceSpans(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) message(delimited(), child(into, "resource"), depth + 1, resource);
  else if (number === 2 && wire === 2) push(into, "scopeSpans", message(delimited(), {}, depth + 1, scopeSpans));
  else if (number === 3 && wire === 2) {
    const s = string();
    put(into, "schemaUrl", s, s.length === 0);
  } else return false;
  return true;
}

function request(into: Obj, number: number, wire: number, depth: number): boolean {
  if (number !== 1 || wire !== 2) return false;
  push(into, "resourceSpans", message(delimited(), {}, depth + 1, resourceSpans));
  return true;
}

/** Decodes a protobuf `ExportTraceServiceRequest`; throws `WireError` when the bytes are not one. */
export function decodeWireRequest(bytes: Uint8Array): WireRequest {
  return reading(bytes, () => {
    const result: WireRequest = {value: {}, spans: 0, traceIds: new Set(), suspect: false};
    summary = result;
    message(bytes.length, result.value, 0, request);
    return result;
  });
}

/** Runs `read` over `bytes` (the readers' shared position), letting go of them after. */
function reading<T>(bytes: Uint8Array, read: () => T): T {
  buf = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = 0;
  try {
    return read();
  } finally {
    buf = new Uint8Array(0);
    view = new DataView(buf.buffer);
  }
}

/*
 * The same request written straight to its OTLP/JSON text, as bytes: what the receiver logs. Building the objects
 * above, then `JSON.stringify` and a UTF-8 encoding of the result, was two thirds of the request path's cost and
 * most of its garbage. The text is byte for byte `JSON.stringify({resourceSpans})` of the decoded value (the
 * property test compares them), for requests written the way encoders write them: each field once, a repeated
 * field's elements together, no span without ids, no flattened attribute without a key. Anything else (a merged
 * or overwritten field, a suspect span, a string that is not UTF-8) is left to the decoder above.
 */

/** Thrown inside the writer when the request needs the decoder: never escapes `wireRequestText`. */
const DECODE = new Error("decode");

let out: Buffer = Buffer.allocUnsafe(0);
/** The largest writer's buffer kept between requests (a 512-span request of GenAI spans needs about 1 MB). */
const KEPT_BYTES = 16 << 20;
let at = 0;
let textSummary = {spans: 0, traceIds: new Set<string>()};

function room(n: number): void {
  if (at + n <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + n));
  out.copy(bigger, 0, 0, at);
  out = bigger;
}

/** ASCII text as it is (keys, numbers, punctuation): short, so copied here rather than by a call into C++. */
function raw(text: string): void {
  room(text.length);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
}

/** Lower-case hex digits as character codes. */
const DIGITS = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

const ESCAPE: (string | null)[] = Array.from({length: 128}, (_, b) => {
  if (b === 0x22) return '\\"';
  if (b === 0x5c) return "\\\\";
  if (b >= 0x20) return null;
  return {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}[b] ?? `\\u${b.toString(16).padStart(4, "0")}`;
});

/** What each byte needs in a JSON string: 0 copied, 1 escaped (see `ESCAPE`), 2 copied but not ASCII. */
const CLASS = Uint8Array.from({length: 256}, (_, b) => (b >= 0x80 ? 2 : ESCAPE[b] === null ? 0 : 1));
const ESCAPE_BYTES: Uint8Array[] = ESCAPE.map((e) => Uint8Array.from(e ?? "", (c) => c.charCodeAt(0)));

/** A length-delimited string field as a JSON string, escaped as `JSON.stringify` escapes (UTF-8 copied as is). */
function textString(): void {
  const end = delimited();
  const start = pos;
  pos = end;
  room((end - start) * 6 + 2);
  // Locals rather than the module's variables, and a typed table rather than the strings: the loop runs once a byte
  // of every string, and this way took 5.2–5.8 µs a span for the whole request against 6.0–6.6.
  const o = out;
  const b = buf;
  let a = at;
  o[a++] = 0x22;
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    const kind = CLASS[c]!;
    if (kind === 0) o[a++] = c;
    else if (kind === 2) {
      ascii = false;
      o[a++] = c;
    } else {
      const escape = ESCAPE_BYTES[c]!;
      for (let j = 0; j < escape.length; j++) o[a++] = escape[j]!;
    }
  }
  o[a++] = 0x22;
  at = a;
  if (!ascii && !isUtf8(buf.subarray(start, end))) throw DECODE;
}

/**
 * Where a message's keys stand: the singular fields met (written or left out as zero), the keys written, and the
 * repeated one whose array is still open.
 */
interface Keys {
  met: string[];
  metCount: number;
  written: string[];
  writtenCount: number;
  open: string | null;
}

function has(names: string[], count: number, name: string): boolean {
  for (let i = 0; i < count; i++) if (names[i] === name) return true;
  return false;
}

/** A singular field met: met again (merged or overwritten), it is the decoder's to read. */
function meet(keys: Keys, name: string): void {
  if (has(keys.met, keys.metCount, name)) throw DECODE;
  keys.met[keys.metCount++] = name;
}

function key(keys: Keys, name: string, repeated: boolean): void {
  if (repeated && keys.open === name) {
    raw(",");
    return;
  }
  if (keys.open !== null) raw("]");
  keys.open = null;
  if (!repeated) meet(keys, name);
  // A repeated field split by another key is the decoder's to read.
  else if (has(keys.written, keys.writtenCount, name)) throw DECODE;
  room(name.length + 4);
  if (keys.writtenCount) out[at++] = 0x2c;
  out[at++] = 0x22;
  for (let i = 0; i < name.length; i++) out[at++] = name.charCodeAt(i);
  out[at++] = 0x22;
  out[at++] = 0x3a;
  keys.written[keys.writtenCount++] = name;
  if (repeated) {
    raw("[");
    keys.open = name;
  }
}

const depths: Keys[] = [];

/** Writes one message's fields up to `end` as a JSON object, with `field` writing each known one (false: unknown). */
function textMessage(
  end: number,
  depth: number,
  field: (keys: Keys, number: number, wire: number, depth: number) => boolean
): Keys {
  if (depth > MAX_DEPTH) throw DECODE;
  // Messages nest, so one record per depth serves them all (a request has a dozen messages a span).
  const keys = (depths[depth] ??= {met: [], metCount: 0, written: [], writtenCount: 0, open: null});
  keys.metCount = 0;
  keys.writtenCount = 0;
  keys.open = null;
  raw("{");
  while (pos < end) {
    const tag = uint32();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (!field(keys, number, wire, depth)) skip(wire, number, depth);
  }
  if (pos !== end) throw DECODE;
  if (keys.open !== null) raw("]");
  raw("}");
  return keys;
}

/** A proto3 scalar: written unless zero (a zero one is left out, as the decoder leaves it out). */
function scalar(keys: Keys, name: string, value: string | number, zero: boolean, quoted: boolean): void {
  if (zero) return meet(keys, name);
  key(keys, name, false);
  raw(quoted ? `"${value}"` : String(value));
}

function textAnyValue(keys: Keys, number: number, wire: number, depth: number): boolean {
  const member = ONEOF[number - 1];
  if (member === undefined) return false;
  const wanted = number === 2 || number === 3 ? 0 : number === 4 ? 1 : 2;
  if (wire !== wanted) return false;
  // A second member of the oneof replaces the first: the decoder's to read.
  if (keys.writtenCount) throw DECODE;
  key(keys, member, false);
  switch (number) {
    case 1:
      textString();
      break;
    case 2:
      raw(bool() ? "true" : "false");
      break;
    case 3:
      raw(`"${int64(true)}"`);
      break;
    case 4: {
      const value = double();
      raw(typeof value === "number" ? String(value) : `"${value}"`);
      break;
    }
    case 5:
      textMessage(delimited(), depth + 1, textArrayValue);
      break;
    case 6:
      textMessage(delimited(), depth + 1, textKvlist);
      break;
    default:
      raw(`"${base64(bytes())}"`);
  }
  return true;
}

function textArrayValue(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number !== 1 || wire !== 2) return false;
  key(keys, "values", true);
  textMessage(delimited(), depth + 1, textAnyValue);
  return true;
}

function textKvlist(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number !== 1 || wire !== 2) return false;
  key(keys, "values", true);
  textMessage(delimited(), depth + 1, textKeyValue);
  return true;
}

function textKeyValue(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) {
    textName(keys, "key");
    return true;
  }
  if (number === 2 && wire === 2) {
    key(keys, "value", false);
    textMessage(delimited(), depth + 1, textAnyValue);
    return true;
  }
  return false;
}

/** A flattened attribute (see `attribute`): one without a key makes the request suspect, the decoder's to read. */
function textAttribute(keys: Keys, depth: number): void {
  key(keys, "attributes", true);
  const kv = textMessage(delimited(), depth + 1, textKeyValue);
  if (!has(kv.written, kv.writtenCount, "key")) throw DECODE;
}

function textCount(keys: Keys, name: string): void {
  const n = uint32();
  scalar(keys, name, n, n === 0, false);
}

/** A string field, left out when empty (which only its length tells, before anything is written). */
function textName(keys: Keys, name: string): void {
  const start = pos;
  if (delimited() === pos) return meet(keys, name);
  pos = start;
  key(keys, name, false);
  textString();
}

function textResource(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) textAttribute(keys, depth);
  else if (number === 2 && wire === 0) textCount(keys, "droppedAttributesCount");
  else return false;
  return true;
}

function textScope(keys: Keys, number: number, wire: number, depth: number): boolean {
  if ((number === 1 || number === 2) && wire === 2) textName(keys, number === 1 ? "name" : "version");
  else if (number === 3 && wire === 2) {
    key(keys, "attributes", true);
    textMessage(delimited(), depth + 1, textKeyValue);
  } else if (number === 4 && wire === 0) textCount(keys, "droppedAttributesCount");
  else return false;
  return true;
}

/** An id as hex (an empty one left out); returns whether there was one. */
function textId(keys: Keys, name: string): Uint8Array {
  const value = bytes();
  if (!value.length) {
    meet(keys, name);
    return value;
  }
  key(keys, name, false);
  room(value.length * 2 + 2);
  out[at++] = 0x22;
  for (let i = 0; i < value.length; i++) {
    out[at++] = DIGITS[value[i]! >> 4]!;
    out[at++] = DIGITS[value[i]! & 15]!;
  }
  out[at++] = 0x22;
  return value;
}

let spanTraceId = "";
let spanHasId = false;

function textSpan(keys: Keys, number: number, wire: number, depth: number): boolean {
  switch (number) {
    case 1:
    case 2:
    case 4: {
      if (wire !== 2) return false;
      const value = textId(keys, number === 1 ? "traceId" : number === 2 ? "spanId" : "parentSpanId");
      if (number === 1) spanTraceId = value.length ? hex(value) : "";
      else if (number === 2) spanHasId = value.length > 0;
      return true;
    }
    case 3:
    case 5:
      if (wire !== 2) return false;
      textName(keys, number === 3 ? "traceState" : "name");
      return true;
    case 6: {
      if (wire !== 0) return false;
      const kind = uint32() | 0;
      scalar(keys, "kind", kind, kind === 0, false);
      return true;
    }
    case 7:
    case 8: {
      if (wire !== 1) return false;
      const t = fixed64();
      scalar(keys, number === 7 ? "startTimeUnixNano" : "endTimeUnixNano", t, t === "0", true);
      return true;
    }
    case 9:
      if (wire !== 2) return false;
      textAttribute(keys, depth);
      return true;
    case 10:
    case 12:
    case 14:
      if (wire !== 0) return false;
      textCount(
        keys,
        number === 10 ? "droppedAttributesCount" : number === 12 ? "droppedEventsCount" : "droppedLinksCount"
      );
      return true;
    case 11:
      if (wire !== 2) return false;
      key(keys, "events", true);
      textMessage(delimited(), depth + 1, textEvent);
      return true;
    case 13:
      if (wire !== 2) return false;
      key(keys, "links", true);
      textMessage(delimited(), depth + 1, textLink);
      return true;
    case 15:
      if (wire !== 2) return false;
      key(keys, "status", false);
      textMessage(delimited(), depth + 1, textStatus);
      return true;
    case 16: {
      if (wire !== 5) return false;
      const flags = fixed32();
      scalar(keys, "flags", flags, flags === 0, false);
      return true;
    }
    default:
      return false;
  }
}

function textEvent(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 1) {
    const t = fixed64();
    scalar(keys, "timeUnixNano", t, t === "0", true);
  } else if (number === 2 && wire === 2) textName(keys, "name");
  else if (number === 3 && wire === 2) textAttribute(keys, depth);
  else if (number === 4 && wire === 0) textCount(keys, "droppedAttributesCount");
  else return false;
  return true;
}

function textLink(keys: Keys, number: number, wire: number, depth: number): boolean {
  if ((number === 1 || number === 2) && wire === 2) textId(keys, number === 1 ? "traceId" : "spanId");
  else if (number === 3 && wire === 2) textName(keys, "traceState");
  else if (number === 4 && wire === 2) {
    key(keys, "attributes", true);
    textMessage(delimited(), depth + 1, textKeyValue);
  } else if (number === 5 && wire === 0) textCount(keys, "droppedAttributesCount");
  else if (number === 6 && wire === 5) {
    const flags = fixed32();
    scalar(keys, "flags", flags, flags === 0, false);
  } else return false;
  return true;
}

function textStatus(keys: Keys, number: number, wire: number): boolean {
  if (number === 2 && wire === 2) textName(keys, "message");
  else if (number === 3 && wire === 0) {
    const code = uint32() | 0;
    scalar(keys, "code", code, code === 0, false);
  } else return false;
  return true;
}

function textScopeSpans(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) {
    key(keys, "scope", false);
    textMessage(delimited(), depth + 1, textScope);
  } else if (number === 2 && wire === 2) {
    key(keys, "spans", true);
    spanTraceId = "";
    spanHasId = false;
    textMessage(delimited(), depth + 1, textSpan);
    // A span without a trace or span id is suspect: the decoder's to read.
    if (!spanTraceId || !spanHasId) throw DECODE;
    textSummary.spans++;
    textSummary.traceIds.add(spanTraceId);
  } else if (number === 3 && wire === 2) textName(keys, "schemaUrl");
  else return false;
  return true;
}

function textResourceSpans(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number === 1 && wire === 2) {
    key(keys, "resource", false);
    textMessage(delimited(), depth + 1, textResource);
  } else if (number === 2 && wire === 2) {
    key(keys, "scopeSpans", true);
    textMessage(delimited(), depth + 1, textScopeSpans);
  } else if (number === 3 && wire === 2) textName(keys, "schemaUrl");
  else return false;
  return true;
}

function textRequest(keys: Keys, number: number, wire: number, depth: number): boolean {
  if (number !== 1 || wire !== 2) return false;
  key(keys, "resourceSpans", true);
  textMessage(delimited(), depth + 1, textResourceSpans);
  return true;
}

export interface WireText {
  /**
   * `JSON.stringify({resourceSpans})` of the decoded request, as UTF-8 bytes: a view of the writer's buffer, which
   * the next call writes over, so it is to be used or copied before then (the log copies it as it is appended).
   */
  json: Buffer;
  spans: number;
  traceIds: Set<string>;
}

/**
 * The OTLP/JSON text of a protobuf `ExportTraceServiceRequest` that no span of which the reader could refuse, or null
 * when the request must go through `decodeWireRequest` (which then also says why the bytes are not a request).
 */
export function wireRequestText(bytes: Uint8Array): WireText | null {
  // About three bytes of text a byte of protobuf: ids double as hex, keys and quotes are added. The buffer is kept
  // for the next request: a fresh one for each (800 KB for 512 spans) was memory outside V8's heap that made the
  // receiver's thread run a full garbage collection every tenth of a second.
  if (out.length < bytes.length * 3 + 256) out = Buffer.allocUnsafeSlow(bytes.length * 3 + 256);
  at = 0;
  textSummary = {spans: 0, traceIds: new Set()};
  try {
    return reading(bytes, () => {
      textMessage(bytes.length, 0, textRequest);
      return {json: out.subarray(0, at), spans: textSummary.spans, traceIds: textSummary.traceIds};
    });
  } catch {
    return null;
  } finally {
    // One unusually large request does not keep its buffer for good.
    if (out.length > KEPT_BYTES) out = Buffer.allocUnsafe(0);
  }
}
