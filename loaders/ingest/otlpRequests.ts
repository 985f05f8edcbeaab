/**
 * @module Converts a block of logged OTLP/JSON `ExportTraceServiceRequest`s (the intake's write-ahead log, one a
 * line) as one record, so the spans of a trace that came in several requests are read together, as a file holding
 * all of them would be: its repeated messages are kept once. Runs in an ingest worker thread (a block task with
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
  const resourceSpans: unknown[] = [];
  let escapes = false;
  for (const record of records) {
    escapes ||= record.escapes !== false;
    let request: {resourceSpans?: unknown};
    try {
      request = JSON.parse(record.text ?? "") as {resourceSpans?: unknown};
    } catch {
      // Not a request the receiver logged: read line by line, which quarantines it with the parser's reason.
      convertRecords(otlpReader, records, file, fileIndex, writer, tally);
      return;
    }
    if (Array.isArray(request.resourceSpans)) for (const rs of request.resourceSpans) resourceSpans.push(rs);
  }
  tally.traceIds = traceIdsOf(resourceSpans);
  const first = records[0]!;
  const together = emptyTally();
  // The text is only searched for escaped surrogates (and shown if the block is refused, which it then is not).
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
