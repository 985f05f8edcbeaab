/**
 * @module What the trace view receives for one trace, and the layout of the packed file that holds them all.
 *
 * The packed file is written by the `data/details.bin` loader and read in the browser with HTTP range requests,
 * so opening one trace costs one small request however large the workspace is. It is a run of records, one per
 * trace (UTF-8 JSON, gzip-compressed when the flag says so), then an index (Arrow IPC: trace_id, offset, length),
 * then a fixed-size trailer that says where the index is. The record and the index are written by one process,
 * so they can never disagree; a trace list built from another state of the workspace can only miss traces,
 * which the page reports rather than showing a wrong trace.
 */
import type {Feedback, Message, Span, ToolCall} from "../schemas/trace.js";

export type DetailSpan = Omit<Span, "traceId"> & {durationMs: number | null};
export type DetailMessage = Omit<Message, "traceId">;
export type DetailToolCall = Omit<ToolCall, "traceId">;
export type DetailFeedback = Omit<Feedback, "traceId">;

/** Everything the trace view shows beyond the list row: spans, messages, tool calls and feedback. */
export interface TraceDetail {
  traceId: string;
  spans: DetailSpan[];
  messages: DetailMessage[];
  toolCalls: DetailToolCall[];
  feedback: DetailFeedback[];
}

/** Eight bytes that end every packed detail file, so a reader can tell it has the right kind of file. */
export const DETAIL_MAGIC = "PLDETAIL";
/** Trailer: index offset (float64), index length (uint32), flags (uint32), magic (8 bytes); little-endian. */
export const DETAIL_TRAILER_BYTES = 24;
/** Flag bit: each record is gzip-compressed. */
export const DETAIL_GZIP = 1;

export interface DetailTrailer {
  indexOffset: number;
  indexLength: number;
  gzip: boolean;
}

export function encodeDetailTrailer({indexOffset, indexLength, gzip}: DetailTrailer): Uint8Array {
  const bytes = new Uint8Array(DETAIL_TRAILER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, indexOffset, true);
  view.setUint32(8, indexLength, true);
  view.setUint32(12, gzip ? DETAIL_GZIP : 0, true);
  for (let i = 0; i < DETAIL_MAGIC.length; ++i) bytes[16 + i] = DETAIL_MAGIC.charCodeAt(i);
  return bytes;
}

/** Reads a trailer, or throws when the bytes are not the end of a packed detail file. */
export function decodeDetailTrailer(bytes: Uint8Array): DetailTrailer {
  if (bytes.length !== DETAIL_TRAILER_BYTES) throw new Error(`invalid detail trailer: ${bytes.length} bytes`);
  const magic = String.fromCharCode(...bytes.subarray(16));
  if (magic !== DETAIL_MAGIC) throw new Error(`invalid detail trailer: magic ${JSON.stringify(magic)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    indexOffset: view.getFloat64(0, true),
    indexLength: view.getUint32(8, true),
    gzip: (view.getUint32(12, true) & DETAIL_GZIP) !== 0
  };
}
