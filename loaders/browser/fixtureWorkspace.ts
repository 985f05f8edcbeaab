/**
 * @module Small workspaces written straight into the store tables, for browser tests.
 *
 * Tests need a workspace before they can build the site. Going through the real ingest would tie every page test
 * to every input format, so a fixture here names its rows in the normalized trace model and this module writes
 * them, deriving the per-trace aggregates the way the store documents them.
 */
import type {DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import type {Feedback, Format, Message, Span, ToolCall, TraceInfo} from "../../src/core/schemas/trace.js";
import {withConnection} from "../store/db.js";

/** One trace as a fixture: what a format reader would produce for it, plus the format it came from. */
export interface FixtureTrace {
  format: Format;
  info: TraceInfo;
  spans: Span[];
  messages: Message[];
  toolCalls: ToolCall[];
  feedback: Feedback[];
}

/** Writes the traces into a new or existing workspace folder (one transaction). */
export async function writeFixtureWorkspace(workspace: string, traces: readonly FixtureTrace[]): Promise<void> {
  await withConnection(workspace, async (connection) => {
    await connection.run("BEGIN TRANSACTION");
    try {
      for (const trace of traces) await insertTrace(connection, trace);
      await connection.run("COMMIT");
    } catch (error) {
      await connection.run("ROLLBACK");
      throw error;
    }
  });
}

// Epoch milliseconds become TIMESTAMP through microseconds, which keeps the fraction the model allows.
const TS = "make_timestamp(CAST(? * 1000 AS BIGINT))";

async function insertTrace(connection: DuckDBConnection, trace: FixtureTrace): Promise<void> {
  const {info, spans, messages, toolCalls, feedback} = trace;
  for (const s of spans) {
    const duration = s.startTime !== null && s.endTime !== null ? s.endTime - s.startTime : null;
    await insert(connection, "spans", {
      trace_id: s.traceId, span_id: s.spanId, parent_span_id: s.parentSpanId, name: s.name, kind: s.kind,
      start_time: [TS, s.startTime], end_time: [TS, s.endTime], duration_ms: duration, status: s.status,
      status_message: s.statusMessage, model: s.model, input_tokens: s.inputTokens, output_tokens: s.outputTokens,
      cost_usd: s.costUsd, attributes: JSON.stringify(s.attributes)
    });
  }
  for (const m of messages) {
    await insert(connection, "messages", {
      trace_id: m.traceId, span_id: m.spanId, idx: m.index, direction: m.direction, turn: m.turn, role: m.role,
      name: m.name, content: m.content, tool_call_id: m.toolCallId
    });
  }
  for (const t of toolCalls) {
    await insert(connection, "tool_calls", {
      trace_id: t.traceId, span_id: t.spanId, call_id: t.callId, idx: t.index, name: t.name,
      arguments: t.arguments, result: t.result, success: t.success, error: t.error
    });
  }
  for (const f of feedback) {
    await insert(connection, "feedback", {
      trace_id: f.traceId, span_id: f.spanId, name: f.name, value: f.value, label: f.label, comment: f.comment,
      source: f.source
    });
  }
  const starts = spans.map((s) => s.startTime).filter((t): t is number => t !== null);
  const ends = spans.map((s) => s.endTime).filter((t): t is number => t !== null);
  const start = info.startTime ?? (starts.length ? Math.min(...starts) : null);
  const end = info.endTime ?? (ends.length ? Math.max(...ends) : null);
  const status = info.status ?? (spans.some((s) => s.status === "error") ? "error" : spans.length ? "ok" : "unset");
  const firstUser = messages.filter((m) => m.role === "user").sort((a, b) => a.turn - b.turn || a.index - b.index)[0];
  const total = info.inputTokens === null && info.outputTokens === null ? null : (info.inputTokens ?? 0) + (info.outputTokens ?? 0);
  await insert(connection, "traces", {
    trace_id: info.traceId, session_id: info.sessionId, user_id: info.userId, name: info.name, format: trace.format,
    source_file: "fixture", start_time: [TS, start], end_time: [TS, end],
    latency_ms: start !== null && end !== null ? end - start : null, status, model: info.model,
    prompt_version: info.promptVersion, input_tokens: info.inputTokens, output_tokens: info.outputTokens,
    total_tokens: total, cost_usd: info.costUsd, span_count: spans.length, message_count: messages.length,
    tool_call_count: toolCalls.length, tool_error_count: toolCalls.filter((t) => t.success === false).length,
    feedback_count: feedback.length, metadata: JSON.stringify(info.metadata),
    first_user_message: firstUser?.content ?? null, ingested_at: ["now()::TIMESTAMP", undefined]
  });
}

/** A column value, or `[sqlExpression, parameter]` when the value needs converting in SQL. */
type Cell = DuckDBValue | [string, DuckDBValue | undefined];

async function insert(connection: DuckDBConnection, table: string, row: Record<string, Cell>): Promise<void> {
  const names: string[] = [];
  const placeholders: string[] = [];
  const values: DuckDBValue[] = [];
  for (const [name, cell] of Object.entries(row)) {
    names.push(name);
    if (Array.isArray(cell)) {
      const [expression, value] = cell;
      placeholders.push(value === null ? "NULL" : expression);
      if (value !== undefined && value !== null) values.push(value);
    } else {
      placeholders.push("?");
      values.push(cell);
    }
  }
  await connection.run(`INSERT INTO ${table} (${names.join(", ")}) VALUES (${placeholders.join(", ")})`, values);
}
