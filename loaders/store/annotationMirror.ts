/**
 * @module Mirrors the annotation log into the `annotation_events` table.
 *
 * The log is the record and the table a copy for SQL. Each sync appends the events the table lacks, by their
 * position in the log; when the table holds something the log does not (a copy restored from elsewhere), it is
 * rebuilt from the log, so the two can never drift apart for longer than one sync.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {AnnotationEvent} from "../../src/core/schemas/annotation.js";

const COLUMNS = 18;

function row(event: AnnotationEvent, seq: number): unknown[] {
  const at = new Date(event.at).toISOString();
  if (event.op === "delete") {
    return [seq, event.eventId, event.op, at, event.by, event.id, ...Array(11).fill(null), JSON.stringify(event)];
  }
  const a = event.annotation;
  const spanId = a.scope.kind === "span" ? a.scope.spanId : a.scope.kind === "text" ? a.scope.spanId : null;
  return [seq, event.eventId, event.op, at, event.by, a.id, a.traceId, spanId, a.criterion, a.annotator, a.pass, a.score,
    a.label, a.failureMode, a.explanation, a.source, new Date(a.createdAt).toISOString(), JSON.stringify(a)];
}

/** Makes `annotation_events` hold exactly `events`, in order; returns how many rows it inserted. */
export async function mirrorAnnotationEvents(connection: DuckDBConnection, events: readonly AnnotationEvent[]): Promise<number> {
  const state = (await connection.runAndReadAll(
    "SELECT count(*)::BIGINT, coalesce(max(seq), -1)::BIGINT, coalesce(max(event_id) FILTER (WHERE seq = 0), '') FROM annotation_events"
  )).getRows()[0]!;
  let count = Number(state[0]);
  const consistent = count === Number(state[1]) + 1 && count <= events.length && (count === 0 || state[2] === events[0]!.eventId);
  await connection.run("BEGIN TRANSACTION");
  try {
    if (!consistent) {
      await connection.run("DELETE FROM annotation_events");
      count = 0;
    }
    const placeholders = `(${Array(COLUMNS).fill("?").join(", ")})`;
    // Batches keep each statement's parameter list bounded.
    for (let start = count; start < events.length; start += 200) {
      const batch = events.slice(start, start + 200);
      await connection.run(
        `INSERT INTO annotation_events VALUES ${batch.map(() => placeholders).join(", ")}`,
        batch.flatMap((event, i) => row(event, start + i)) as never
      );
    }
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
  return events.length - count;
}
