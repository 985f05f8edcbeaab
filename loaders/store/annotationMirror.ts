/**
 * @module Mirrors the annotation log into the `annotation_events` table.
 *
 * The log is the record and the table a copy for SQL. Each sync appends the events the table lacks, by their
 * position in the log; when the table holds something the log does not (a copy restored from elsewhere), it is
 * rebuilt from the log, so the two can never drift apart for longer than one sync.
 */
import {DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection} from "@duckdb/node-api";
import type {AnnotationEvent} from "../../src/core/schemas/annotation.js";

type Cell = {kind: "bigint" | "varchar" | "timestamp" | "boolean" | "double"; value: unknown};

const big = (value: number): Cell => ({kind: "bigint", value});
const str = (value: string | null): Cell => ({kind: "varchar", value});
const time = (ms: number | null): Cell => ({kind: "timestamp", value: ms});

function row(event: AnnotationEvent, seq: number): Cell[] {
  const head = [big(seq), str(event.eventId), str(event.op), time(event.at), str(event.by)];
  if (event.op === "delete") return [...head, str(event.id), ...Array.from({length: 11}, () => str(null)), str(JSON.stringify(event))];
  const a = event.annotation;
  const spanId = a.scope.kind === "span" ? a.scope.spanId : a.scope.kind === "text" ? a.scope.spanId : null;
  return [...head, str(a.id), str(a.traceId), str(spanId), str(a.criterion), str(a.annotator), {kind: "boolean", value: a.pass},
    {kind: "double", value: a.score}, str(a.label), str(a.failureMode), str(a.explanation), str(a.source), time(a.createdAt), str(JSON.stringify(a))];
}

function append(appender: DuckDBAppender, cell: Cell): void {
  if (cell.value === null || cell.value === undefined) return appender.appendNull();
  switch (cell.kind) {
    case "bigint": return appender.appendBigInt(BigInt(cell.value as number));
    case "varchar": return appender.appendVarchar(cell.value as string);
    case "timestamp": return appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round((cell.value as number) * 1000))));
    case "boolean": return appender.appendBoolean(cell.value as boolean);
    case "double": return appender.appendDouble(cell.value as number);
  }
}

/**
 * Makes `annotation_events` hold exactly `events`, in order; returns how many rows it appended. Rows go in through
 * DuckDB's appender; if it stops midway the rows it wrote are still a prefix of the log, which the next sync
 * continues from.
 */
export async function mirrorAnnotationEvents(connection: DuckDBConnection, events: readonly AnnotationEvent[]): Promise<number> {
  const state = (await connection.runAndReadAll(
    "SELECT count(*)::BIGINT, coalesce(max(seq), -1)::BIGINT, coalesce(max(event_id) FILTER (WHERE seq = 0), '') FROM annotation_events"
  )).getRows()[0]!;
  let count = Number(state[0]);
  const consistent = count === Number(state[1]) + 1 && count <= events.length && (count === 0 || state[2] === events[0]!.eventId);
  if (!consistent) {
    await connection.run("DELETE FROM annotation_events");
    count = 0;
  }
  if (count === events.length) return 0;
  const appender = await connection.createAppender("annotation_events");
  try {
    for (let i = count; i < events.length; ++i) {
      for (const cell of row(events[i]!, i)) append(appender, cell);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return events.length - count;
}
