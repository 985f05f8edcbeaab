/**
 * @module What the receiver keeps of one `ExportTraceServiceRequest`: every span the OTLP/JSON reader can read, and
 * for each one it cannot, the reason, so the answer can count it in `rejectedSpans` and the quarantine can say why.
 *
 * A request is first read whole, as the file ingest reads a record; only when that fails is it read span by span
 * (each span with its resource and scope), so one bad span costs its neighbours nothing. Values the reader does
 * not know stay as they came (attributes), and unknown fields are ignored, as OTLP asks of receivers.
 *
 * A request large enough to hold a row over the store's limit (`MAX_ROW_BYTES`) is also sized as the staging
 * writer would size it, so a span whose row the store would refuse is counted in the answer, not only found by
 * the catch-up after it. Smaller requests cannot make such a row and skip that work.
 */
import {isUtf8} from "node:buffer";
import {otlpReader} from "../formats/otlp.js";
import {convertRecords, emptyTally} from "../ingest/convert.js";
import {MAX_ROW_BYTES} from "../ingest/stage.js";
import type {StagingWriter} from "../ingest/stagingWriter.js";
import {RecordError} from "../formats/reader.js";
import {dropRepeatedMessages} from "../formats/repeatedMessages.js";
import {isRecord, type JsonRecord} from "../formats/values.js";
import {decodeWireRequest, wireRequestText} from "./otlpWire.js";

export interface SpanReject {
  reason: string;
  /** The span with its resource and scope, as OTLP/JSON text, for the quarantine. */
  text: string;
}

export interface Accepted {
  /** The request as it will be logged: only the spans that read, or null when none did. */
  request: JsonRecord | null;
  spans: number;
  rejected: SpanReject[];
  /** Every span of the request was kept, so the logged request may be the request itself. */
  whole: boolean;
}

/** A body that is not an `ExportTraceServiceRequest` at all: the receiver answers 400. */
export class MalformedRequest extends Error {
  override readonly name = "MalformedRequest";
}

/** Takes the rows of a sized record and keeps none: the size check runs before anything is written. */
const discard = {
  write() {},
  span() {},
  message() {},
  toolCall() {},
  endRecord() {}
} as unknown as StagingWriter;

/**
 * A JSON text's bytes can grow up to six times in a row's text (a control character stored as `\u0000`), so a
 * request under a sixth of the limit cannot make a row over it.
 */
export const SIZED_FROM_BYTES = Math.floor(MAX_ROW_BYTES / 6);

function reads(value: JsonRecord, sized: boolean): string | null {
  if (sized) {
    const tally = emptyTally();
    convertRecords(otlpReader, [{text: "", value, line: 1, ordinal: 0, escapes: false}], "", 0, discard, tally);
    return tally.rejected[0]?.reason ?? null;
  }
  try {
    dropRepeatedMessages(otlpReader.read(value, {file: "", line: 1, ordinal: 0, text: ""}));
    return null;
  } catch (error) {
    if (error instanceof RecordError) return error.message;
    return `the OTLP reader failed: ${(error as Error).message ?? String(error)}`;
  }
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MalformedRequest(`${what} is not an array`);
  return value;
}

/** `bytes`: the decoded body's size, which decides whether rows are sized (see `SIZED_FROM_BYTES`). */
export function acceptRequest(value: unknown, bytes = 0): Accepted {
  const sized = bytes >= SIZED_FROM_BYTES;
  if (!isRecord(value)) throw new MalformedRequest("an ExportTraceServiceRequest is a JSON object");
  const resourceSpans = list(value.resourceSpans, "resourceSpans");
  let spans = 0;
  for (const [i, rs] of resourceSpans.entries()) {
    if (!isRecord(rs)) throw new MalformedRequest(`resourceSpans[${i}] is not an object`);
    for (const [j, ss] of list(rs.scopeSpans, `resourceSpans[${i}].scopeSpans`).entries()) {
      if (!isRecord(ss)) throw new MalformedRequest(`resourceSpans[${i}].scopeSpans[${j}] is not an object`);
      spans += list(ss.spans, `resourceSpans[${i}].scopeSpans[${j}].spans`).length;
    }
  }
  if (spans === 0) return {request: null, spans: 0, rejected: [], whole: true};
  const request: JsonRecord = {resourceSpans};
  if (reads(request, sized) === null) return {request, spans, rejected: [], whole: true};
  // Span by span: each one with its own resource and scope, kept or rejected on its own.
  const rejected: SpanReject[] = [];
  const kept: JsonRecord[] = [];
  for (const rs of resourceSpans as JsonRecord[]) {
    const scopes: JsonRecord[] = [];
    for (const ss of list(rs.scopeSpans, "") as JsonRecord[]) {
      const good: unknown[] = [];
      for (const span of list(ss.spans, "")) {
        const single: JsonRecord = {resourceSpans: [{...rs, scopeSpans: [{...ss, spans: [span]}]}]};
        const reason = reads(single, sized);
        if (reason === null) good.push(span);
        else rejected.push({reason, text: JSON.stringify(single)});
      }
      if (good.length) scopes.push({...ss, spans: good});
    }
    if (scopes.length) kept.push({...rs, scopeSpans: scopes});
  }
  const accepted = spans - rejected.length;
  return {request: accepted ? {resourceSpans: kept} : null, spans: accepted, rejected, whole: false};
}

/** What the receiver logs of a request body, and the traces it names when that is known without reading it. */
export interface AcceptedBody extends Accepted {
  /** The line to log as it is, when the body gives it ready (else `request` is logged as JSON). */
  line: Uint8Array | null;
  traceIds: Iterable<string> | null;
}

/**
 * A protobuf body (otlpWire.ts). Its values have their types by construction, so the reader can refuse a span of it
 * only for what the decoder marks as suspect (an id or an attribute key missing) or for a row too large (sized
 * requests): otherwise it is kept whole without being read, which is most of the cost of a request, and written
 * straight to its logged text when encoded the usual way. The decoder's property test checks that the reader agrees.
 */
export function acceptProtobuf(body: Uint8Array): AcceptedBody {
  const sized = body.byteLength >= SIZED_FROM_BYTES;
  const text = sized ? null : wireRequestText(body);
  if (text)
    return {
      request: null,
      spans: text.spans,
      rejected: [],
      whole: true,
      line: text.spans ? text.json : null,
      traceIds: text.traceIds
    };
  const wire = decodeWireRequest(body);
  const accepted: Accepted =
    wire.suspect || sized
      ? acceptRequest(wire.value, body.byteLength)
      : {
          request: wire.spans ? {resourceSpans: wire.value.resourceSpans} : null,
          spans: wire.spans,
          rejected: [],
          whole: true
        };
  // A request read span by span may have lost some: the traces are then those of the spans kept.
  return {...accepted, line: null, traceIds: accepted.rejected.length ? null : wire.traceIds};
}

/** A JSON body: kept whole, on one line and valid UTF-8, it is logged as it came. */
export function acceptJson(body: Uint8Array): AcceptedBody {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const accepted = acceptRequest(JSON.parse(text.toString("utf8")), body.byteLength);
  const line = accepted.whole && text.indexOf(0x0a) === -1 && isUtf8(text) ? text : null;
  return {...accepted, line, traceIds: null};
}
