/**
 * @module Turns raw records into staged rows: decode, parse, read with the file's format, stamp, write.
 * The same code runs in the ingest process and in its worker threads.
 */
import type {Fragment} from "../../src/core/schemas/trace.js";
import {basename} from "node:path";
import {detectFormat} from "../formats/index.js";
import {RecordError, type FormatReader} from "../formats/reader.js";
import {dropRepeatedMessages} from "../formats/repeatedMessages.js";
import {MAX_ROW_BYTES, type StagedKind} from "./stage.js";
import type {StagingWriter} from "./stagingWriter.js";
import {
  emptyFlagCounts,
  FLAGGED_SAMPLE_PER_KIND,
  MAX_TIME_MS,
  MAX_TOKENS,
  mendSurrogates,
  SURROGATE_ESCAPE,
  wellFormedJson,
  type FlagCounts,
  type Flagged,
  type FlagKind,
  type Note
} from "./flags.js";

/** One raw record: a JSON Lines line, a whole document, or an element of a top-level array. */
export interface RawRecord {
  /** The record's text, or null when its bytes are not valid UTF-8. */
  text: string | null;
  /** The undecodable bytes, base64, when `text` is null. */
  base64?: string;
  line: number;
  ordinal: number;
  /** An already-parsed value (array elements), to spare a second parse. */
  value?: unknown;
  /** Names the element of a top-level array, for error messages. */
  element?: number;
  /** False when the text is known to hold no escaped surrogate (its block held none); otherwise it is tested. */
  escapes?: boolean;
}

export interface Rejected {
  file: string;
  line: number;
  element?: number;
  reason: string;
  text: string;
  encoding: "utf8" | "base64";
}

export interface ConvertTally {
  records: number;
  ingested: number;
  spans: number;
  messages: number;
  rejected: Rejected[];
  /** Ingested records kept with a flag, per kind (a record counts once per kind). */
  flags: FlagCounts;
  /** The first few flagged records of each kind. */
  flagged: Flagged[];
  /** The traces whose spans were read (only when reading logged OTLP requests, see otlpRequests.ts). */
  traceIds?: string[];
}

export function emptyTally(): ConvertTally {
  return {records: 0, ingested: 0, spans: 0, messages: 0, rejected: [], flags: emptyFlagCounts(), flagged: []};
}

/** Record ordinals are unique across the files of one ingest, so "first occurrence wins" is well defined. */
export function globalOrdinal(fileIndex: number, ordinal: number): number {
  return fileIndex * 2 ** 32 + ordinal;
}

/**
 * Reads, stages and tallies records. `checkShape` is set when the file's format was detected rather than named:
 * a record that has another known format's shape instead of this one's is then quarantined rather than read as
 * this format (a record of no known shape is left to the reader, which says what it lacks).
 */
export function convertRecords(
  reader: FormatReader,
  records: Iterable<RawRecord>,
  file: string,
  fileIndex: number,
  writer: StagingWriter,
  tally: ConvertTally,
  checkShape = false
): void {
  const fileName = checkShape ? basename(file) : "";
  for (const record of records) {
    tally.records++;
    const reject = (reason: string) => {
      tally.rejected.push({
        file,
        line: record.line,
        ...(record.element === undefined ? {} : {element: record.element}),
        reason,
        text: record.text ?? record.base64 ?? "",
        encoding: record.text === null ? "base64" : "utf8"
      });
    };
    if (record.text === null) {
      reject("invalid UTF-8");
      continue;
    }
    let value = record.value;
    if (value === undefined) {
      try {
        value = JSON.parse(record.text);
      } catch (error) {
        reject(`invalid JSON: ${(error as Error).message}`);
        continue;
      }
    }
    // Flags are gathered per record and counted only once it is staged: a rejected record is not also flagged.
    let notes: [FlagKind, string][] | null = null;
    const note: Note = (flag, detail) => void (notes ??= []).push([flag, detail]);
    if (record.escapes !== false && SURROGATE_ESCAPE.test(record.text)) {
      const mended = mendSurrogates(value);
      value = mended.value;
      if (mended.mended)
        note(
          "loneSurrogates",
          `${mended.mended} string${mended.mended === 1 ? "" : "s"} with a lone UTF-16 surrogate, stored with U+FFFD in its place`
        );
    }
    if (checkShape && !reader.detect(value, fileName)) {
      const other = detectFormat(value, fileName);
      if (other && other !== reader) {
        reject(
          `a ${other.format} record in a file of ${reader.format} records; ingest it from a file of its own, or name its format with --format`
        );
        continue;
      }
    }
    let fragment: Fragment;
    try {
      fragment = reader.read(value, {file, line: record.line, ordinal: record.ordinal, text: record.text});
      // Each message of a trace is stored once, however often its spans repeat the conversation.
      dropRepeatedMessages(fragment);
    } catch (error) {
      if (error instanceof RecordError) reject(error.message);
      else reject(`${reader.format} reader failed: ${(error as Error).message ?? String(error)}`);
      continue;
    }
    try {
      stageFragment(fragment, globalOrdinal(fileIndex, record.ordinal), fileIndex, writer, note);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      reject(error.message);
      continue;
    }
    tally.ingested++;
    tally.spans += fragment.spans.length;
    tally.messages += fragment.messages.length;
    if (notes !== null) addNotes(tally, notes, file, record);
  }
}

function addNotes(tally: ConvertTally, notes: [FlagKind, string][], file: string, record: RawRecord): void {
  const seen = new Set<FlagKind>();
  for (const [flag, detail] of notes) {
    if (seen.has(flag)) continue;
    seen.add(flag);
    if (tally.flags[flag]++ < FLAGGED_SAMPLE_PER_KIND) {
      tally.flagged.push({
        file,
        line: record.line,
        ...(record.element === undefined ? {} : {element: record.element}),
        flag,
        detail
      });
    }
  }
}

/**
 * A trace's user message that comes first within one record, by the order the store's trace rows use: its span's
 * start time (none first), then direction, then position. The store picks each new trace's first user message
 * among these, one per record, instead of joining every user message to its span.
 */
interface FirstUser {
  /** The span's start in whole microseconds, rounded as the store rounds it; null when the message has no span. */
  start: number | null;
  direction: string;
  index: number;
  content: string;
  /** A user message names a span this record does not hold (or holds twice, differently): the store must join. */
  unresolved: boolean;
}

function firstUserMessages(fragment: Fragment): Map<string, FirstUser> | null {
  let spans: Map<string, SpanStart> | null = null;
  let firsts: Map<string, FirstUser> | null = null;
  for (const m of fragment.messages) {
    if (m.role !== "user" || m.content === null) continue;
    let start: number | null = null;
    let unresolved = false;
    if (m.spanId !== null) {
      const span = (spans ??= spanStarts(fragment)).get(m.spanId);
      if (span === undefined || span.traceId !== m.traceId || span.start === undefined) unresolved = true;
      else start = span.start;
    }
    const best = (firsts ??= new Map()).get(m.traceId);
    if (best === undefined) {
      firsts.set(m.traceId, {start, direction: m.direction, index: m.index, content: m.content, unresolved});
    } else if (unresolved) {
      best.unresolved = true;
    } else if (comesFirst(start, m.direction, m.index, best)) {
      best.start = start;
      best.direction = m.direction;
      best.index = m.index;
      best.content = m.content;
    }
  }
  return firsts;
}

/** A span's start as the store keeps it (microseconds, half away from zero); undefined when its id is ambiguous. */
interface SpanStart {
  traceId: string;
  start: number | null | undefined;
}

/**
 * The record's spans by id (keyed by the id alone, whose hash the string keeps, rather than by a new string per
 * lookup). An id given twice with another start, or by two traces, has no start the stager can trust.
 */
function spanStarts(fragment: Fragment): Map<string, SpanStart> {
  const spans = new Map<string, SpanStart>();
  for (const span of fragment.spans) {
    // A start that is not a finite number is staged as unknown, so it counts as none here too.
    const ms = span.startTime;
    const start = ms === null || !Number.isFinite(ms) ? null : Math.sign(ms) * Math.round(Math.abs(ms * 1000));
    const seen = spans.get(span.spanId);
    if (seen === undefined) spans.set(span.spanId, {traceId: span.traceId, start});
    else if (seen.traceId !== span.traceId || seen.start !== start) seen.start = undefined;
  }
  return spans;
}

function comesFirst(start: number | null, direction: string, index: number, than: FirstUser): boolean {
  if (start !== than.start) return start === null || (than.start !== null && start < than.start);
  if (direction !== than.direction) return direction < than.direction;
  return index < than.index;
}

function firstUserFields(first: FirstUser): string {
  if (first.unresolved) return `"fuUnresolved":true,`;
  return `"fuStart":${first.start},"fuDirection":${JSON.stringify(first.direction)},"fuIndex":${first.index},"fuContent":${JSON.stringify(first.content)},`;
}

/** Characters of a row's text values; a UTF-16 unit takes at most three bytes, so only a long row is measured. */
function checkRow(kind: StagedKind, ...texts: unknown[]): void {
  let units = 0;
  for (const text of texts) if (typeof text === "string") units += text.length;
  if (units * 3 <= MAX_ROW_BYTES) return;
  let bytes = 0;
  for (const text of texts) if (typeof text === "string") bytes += Buffer.byteLength(text);
  if (bytes > MAX_ROW_BYTES) {
    throw new RecordError(
      `a ${kind} row of ${(bytes / 2 ** 20).toFixed(1)} MiB is larger than the ${MAX_ROW_BYTES / 2 ** 20} MiB a stored row may take`
    );
  }
}

/** Numbers a trace or span may carry that the store keeps as BIGINT or as a timestamp. */
interface Measures {
  startTime: number | null;
  endTime: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/**
 * Flags negative durations and token counts (kept as they are), and stores numbers beyond what the store holds as
 * unknown (see `flags.ts`). One comparison per value decides, so ordinary rows pay next to nothing; `Math.abs(null)`
 * is 0, and NaN fails every `<=`, so it is caught as out of range too.
 */
function checkNumbers(row: Measures, note: Note): void {
  const {startTime, endTime, inputTokens, outputTokens} = row;
  if (
    Math.abs(startTime as number) <= MAX_TIME_MS &&
    Math.abs(endTime as number) <= MAX_TIME_MS &&
    (inputTokens as number) >= 0 &&
    (inputTokens as number) <= MAX_TOKENS &&
    (outputTokens as number) >= 0 &&
    (outputTokens as number) <= MAX_TOKENS &&
    (endTime === null || !(endTime < (startTime as number)))
  )
    return;
  for (const key of ["startTime", "endTime"] as const) {
    const value = row[key];
    if (value !== null && !(Math.abs(value) <= MAX_TIME_MS)) {
      note("outOfRange", `${key} ${value} ms is outside the times the store keeps; stored as unknown`);
      row[key] = null;
    }
  }
  for (const key of ["inputTokens", "outputTokens"] as const) {
    const value = row[key];
    if (value !== null && !(Math.abs(value) <= MAX_TOKENS)) {
      note("outOfRange", `${key} ${value} is beyond 2^53, the largest exact count; stored as unknown`);
      row[key] = null;
    } else if (value !== null && value < 0) {
      note("negativeTokens", `${key} is ${value}; kept as given`);
    }
  }
  if (row.startTime !== null && row.endTime !== null && row.endTime < row.startTime) {
    note("negativeDuration", `ends ${row.startTime - row.endTime} ms before it starts; kept as given`);
  }
}

/**
 * JSON text for a JSON-staged row, mended where it holds an escaped lone surrogate. The input's strings are mended
 * as they are parsed; this catches what a reader made, such as a name cut short in the middle of a pair. DuckDB's
 * JSON reader fails the whole merge on such an escape, where the Parquet-staged kinds store U+FFFD already.
 */
function wellFormed(json: string): string {
  return json.indexOf("\\ud") === -1 ? json : wellFormedJson(json);
}

/**
 * Writes a fragment's rows. Every trace the fragment touches gets a source row, so the store knows each trace's
 * format and file even when the format (OTLP) says nothing about traces as a whole. Every row is serialized or
 * sized before any is written, so a record with a row too large for the store is rejected whole instead of half
 * staged.
 */
export function stageFragment(
  fragment: Fragment,
  ordinal: number,
  fileIndex: number,
  writer: StagingWriter,
  note: Note = () => {}
): void {
  let rows: SerializedRows;
  try {
    rows = serializeRows(fragment, ordinal, fileIndex, note);
  } catch (error) {
    // A value nested too deeply to serialize overflows the stack; nothing of the record is written yet.
    if (error instanceof RangeError) throw new RecordError(`a value nested too deeply to store: ${error.message}`);
    throw error;
  }
  const {sources, attributes, feedback} = rows;
  for (const json of sources) writer.write("sources", json);
  for (let i = 0; i < fragment.spans.length; i++) writer.span(fragment.spans[i]!, attributes[i]);
  for (const message of fragment.messages) writer.message(message);
  for (const call of fragment.toolCalls) writer.toolCall(call);
  for (const json of feedback) writer.write("feedback", json);
  writer.endRecord();
}

interface SerializedRows {
  sources: string[];
  attributes: (string | undefined)[];
  feedback: string[];
}

/** Serializes and sizes a fragment's rows (and flags its numbers) before any is written. */
function serializeRows(fragment: Fragment, ordinal: number, fileIndex: number, note: Note): SerializedRows {
  // First, since a trace's first user message is ordered by its span's start, which must be one the store keeps.
  for (const info of fragment.traces) checkNumbers(info, note);
  for (const span of fragment.spans) checkNumbers(span, note);
  const sources: string[] = [];
  const described = new Set<string>();
  const firstUser = firstUserMessages(fragment);
  // The ordinal, file index and first user message are spliced in front of the serialized info: a spread copy of
  // it made `JSON.stringify` several times slower than the info alone (a trace info always has its trace id).
  const head = (traceId: string) => {
    const first = firstUser?.get(traceId);
    return `{"_o":${ordinal},"_f":${fileIndex},${first === undefined ? "" : firstUserFields(first)}`;
  };
  for (const info of fragment.traces) {
    described.add(info.traceId);
    const json = wellFormed(`${head(info.traceId)}${JSON.stringify(info).slice(1)}`);
    checkRow("sources", json);
    sources.push(json);
  }
  const mention = (traceId: string) => {
    if (described.has(traceId)) return;
    described.add(traceId);
    const json = wellFormed(`${head(traceId)}"traceId":${JSON.stringify(traceId)},"tags":[],"metadata":{}}`);
    if (firstUser?.has(traceId)) checkRow("sources", json);
    sources.push(json);
  };
  const attributes: (string | undefined)[] = [];
  for (const span of fragment.spans) {
    mention(span.traceId);
    const json = JSON.stringify(span.attributes) as string | undefined;
    checkRow("spans", span.traceId, span.spanId, span.parentSpanId, span.name, span.statusMessage, span.model, json);
    attributes.push(json);
  }
  for (const message of fragment.messages) {
    mention(message.traceId);
    checkRow(
      "messages",
      message.traceId,
      message.spanId,
      message.role,
      message.name,
      message.content,
      message.toolCallId
    );
  }
  for (const call of fragment.toolCalls) {
    mention(call.traceId);
    checkRow("toolCalls", call.traceId, call.spanId, call.callId, call.name, call.arguments, call.result, call.error);
  }
  const feedback: string[] = [];
  for (const item of fragment.feedback) {
    mention(item.traceId);
    const json = wellFormed(JSON.stringify(item));
    checkRow("feedback", json);
    feedback.push(json);
  }
  return {sources, attributes, feedback};
}
