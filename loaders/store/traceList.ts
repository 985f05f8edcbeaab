/**
 * @module The trace list as Arrow IPC: one compact row per trace, newest first, for the explorer's first render.
 *
 * `@duckdb/node-api` has no Arrow output and DuckDB's arrow extension cannot be installed offline, so columns are
 * read from DuckDB and encoded with apache-arrow. Repeated strings (format, model, status, …) are dictionary
 * encoded; the first user message is cut to a preview, since the full text is in the trace's detail record.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {tableExists} from "./db.js";
import {
  Bool,
  Dictionary,
  Float64,
  Int32,
  Table,
  Uint32,
  Utf8,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector
} from "apache-arrow";

/** Characters of the first user message kept in the list; enough for a row and for searching its start. */
export const PREVIEW_CHARS = 160;

type Kind = "string" | "category" | "number" | "count" | "boolean";

/** Each list column: its SQL expression and how it is encoded. The order here is the order in the file. */
const COLUMNS: [name: string, sql: string, kind: Kind][] = [
  ["trace_id", "trace_id", "string"],
  ["session_id", "session_id", "string"],
  ["name", "name", "category"],
  ["format", "format", "category"],
  ["start_time", "epoch_us(start_time) / 1000.0", "number"],
  ["latency_ms", "latency_ms", "number"],
  ["status", "status", "category"],
  ["model", "model", "category"],
  ["prompt_version", "prompt_version", "category"],
  ["input_tokens", "input_tokens::DOUBLE", "number"],
  ["output_tokens", "output_tokens::DOUBLE", "number"],
  ["total_tokens", "total_tokens::DOUBLE", "number"],
  ["cost_usd", "cost_usd", "number"],
  ["span_count", "span_count", "count"],
  ["message_count", "message_count", "count"],
  ["tool_call_count", "tool_call_count", "count"],
  ["tool_error_count", "tool_error_count", "count"],
  ["feedback_count", "coalesce(fb.n, feedback_count)", "count"],
  ["has_feedback", "coalesce(fb.n, feedback_count) > 0", "boolean"],
  ["first_user_message", `left(first_user_message, ${PREVIEW_CHARS})`, "string"]
];

// Feedback is counted from `trace_feedback` (loaders/store/annotationViews.ts), which adds end users' labels to the
// trace's own feedback; a store opened read-only before that view existed counts the trace's own only.
// The list leads with what started in the last day (traces an app is sending now), then the format that holds most
// traces, newest first within each: a workspace's main source, not the few traces of a format fixture that happen to
// carry times while the benchmark runs beside them carry none.
const listSql = (feedbackView: boolean) => {
  const counts = feedbackView
    ? "SELECT trace_id, count(*)::INTEGER AS n FROM trace_feedback GROUP BY 1"
    : "SELECT NULL::VARCHAR AS trace_id, NULL::INTEGER AS n WHERE false";
  return `SELECT ${COLUMNS.map(([name, sql]) => `${sql} AS ${name}`).join(", ")}
FROM traces LEFT JOIN (${counts}) fb USING (trace_id) ORDER BY coalesce(start_time > (now() - INTERVAL 1 DAY)::TIMESTAMP, false) DESC, count(*) OVER (PARTITION BY format) DESC, format, start_time DESC NULLS LAST, trace_id`;
};

function arrowType(kind: Kind): DataType {
  switch (kind) {
    case "string":
      return new Utf8();
    case "category":
      return new Dictionary(new Utf8(), new Uint32());
    case "number":
      return new Float64();
    case "count":
      return new Int32();
    case "boolean":
      return new Bool();
  }
}

/** Reads the list and returns it as an Arrow IPC stream. */
export async function traceListIPC(connection: DuckDBConnection): Promise<Uint8Array> {
  const reader = await connection.runAndReadAll(listSql(await tableExists(connection, "trace_feedback")));
  const columns = reader.getColumnsJS();
  const vectors: Record<string, Vector> = {};
  COLUMNS.forEach(([name, , kind], i) => {
    // A workspace with no trace yet reads no chunk, and DuckDB then gives no column at all: an empty list.
    vectors[name] = vectorFromArray((columns[i] ?? []) as unknown[], arrowType(kind));
  });
  return tableToIPC(new Table(vectors));
}
