/**
 * @module Converts a block of logged OTLP/JSON `ExportTraceServiceRequest`s (the intake's write-ahead log, one a
 * line), the lines that share a trace as one record, so the spans of a trace that came in several requests are read
 * together, as a file holding all of them would be: its repeated messages are kept once. Lines that share nothing
 * are read one by one, as the file ingest reads lines: reading a whole block as one record held every object of it
 * at once, and the garbage collector's work on them cost more than the reading. Runs in an ingest worker thread (a block task with
 * `requests` set) or, for a small catch-up, in the caller's.
 *
 * A block refused whole (a row too large for the store: nothing of it is staged, see `stageFragment`) is read
 * again request by request, so only the request that holds the row is rejected.
 */
import {otlpReader} from "../formats/otlp.js";
import {otlpId} from "../formats/otlpValues.js";
import {isRecord} from "../formats/values.js";
import {convertRecords, emptyTally, type ConvertTally, type RawRecord} from "./convert.js";
import type {StagingWriter} from "./stagingWriter.js";

/** The trace ids of the spans in `resourceSpans`, as the OTLP reader writes them; unreadable ones are left out. */
function traceIdsOf(resourceSpans: unknown[]): string[] {
  const ids = new Set<string>();
  for (const rs of resourceSpans) {
    const scopes = isRecord(rs) ? rs.scopeSpans : undefined;
    if (!Array.isArray(scopes)) continue;
    for (const ss of scopes) {
      const spans = isRecord(ss) ? ss.spans : undefined;
      if (!Array.isArray(spans)) continue;
      for (const span of spans) {
        if (!isRecord(span) || typeof span.traceId !== "string" || span.traceId === "") continue;
        try {
          ids.add(otlpId(span.traceId, 0, "traceId"));
        } catch {
          // Not an id the reader takes: the span is quarantined, and no trace is built from it.
        }
      }
    }
  }
  return [...ids];
}

export function convertRequests(
  records: readonly RawRecord[],
  file: string,
  fileIndex: number,
  writer: StagingWriter,
  tally: ConvertTally
): void {
  if (!records.length) return;
  // Lines that share a trace are grouped (union-find over line numbers, by the trace ids their text names), and each
  // group is parsed only when it is read, so the objects of one group are garbage before the next is parsed.
  const root = records.map((_, i) => i);
  const find = (i: number): number => {
    while (root[i] !== i) i = root[i] = root[root[i]!]!;
    return i;
  };
  const owner = new Map<string, number>();
  for (const [i, record] of records.entries()) {
    for (const match of (record.text ?? "").matchAll(TRACE_ID)) {
      const traceId = match[1]!.toLowerCase();
      const other = owner.get(traceId);
      if (other === undefined) owner.set(traceId, i);
      else {
        const a = find(i);
        const b = find(other);
        if (a !== b) root[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < records.length; i++) {
    const r = find(i);
    const members = groups.get(r);
    if (members) members.push(i);
    else groups.set(r, [i]);
  }
  const ids = new Set<string>();
  for (const members of groups.values()) {
    const group = members.map((i) => records[i]!);
    const resourceSpans: unknown[] = [];
    let parsed = true;
    for (const record of group) {
      let request: unknown;
      try {
        request = JSON.parse(record.text ?? "");
      } catch {
        parsed = false;
        break;
      }
      if (isRecord(request) && Array.isArray(request.resourceSpans))
        for (const rs of request.resourceSpans) resourceSpans.push(rs);
    }
    // A line that is not JSON: read line by line, which quarantines it with the parser's reason.
    if (!parsed) convertRecords(otlpReader, group, file, fileIndex, writer, tally);
    else {
      for (const id of traceIdsOf(resourceSpans)) ids.add(id);
      convertGroup(group, resourceSpans, file, fileIndex, writer, tally);
    }
  }
  tally.traceIds = [...ids];
}

/** A trace id as a logged line names it (the receiver logs compact JSON; a body logged as sent may have spaces). */
const TRACE_ID = /"traceId"\s*:\s*"([^"]{1,64})"/g;

/** Lines that share traces, read as one record; when that is refused, line by line. */
function convertGroup(
  records: readonly RawRecord[],
  resourceSpans: unknown[],
  file: string,
  fileIndex: number,
  writer: StagingWriter,
  tally: ConvertTally
): void {
  const first = records[0]!;
  const escapes = records.some((r) => r.escapes !== false);
  const together = emptyTally();
  // The text is only searched for escaped surrogates (and shown if the group is refused, which it then is not).
  const text = escapes ? records.map((r) => r.text).join("\n") : "";
  convertRecords(
    otlpReader,
    [{text, value: {resourceSpans}, line: first.line, ordinal: first.ordinal, escapes}],
    file,
    fileIndex,
    writer,
    together
  );
  if (together.rejected.length) {
    convertRecords(otlpReader, records, file, fileIndex, writer, tally);
    return;
  }
  tally.records += records.length;
  tally.ingested += together.ingested ? records.length : 0;
  tally.spans += together.spans;
  tally.messages += together.messages;
  for (const [kind, count] of Object.entries(together.flags)) tally.flags[kind as keyof typeof tally.flags] += count;
  tally.flagged.push(...together.flagged);
}
