/**
 * @module What an evaluator reads of each trace, from the store: the trace's numbers and status for thresholds,
 * its messages (in order), spans with attributes, and tool calls.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {TRACE_FIELDS} from "../../src/core/schemas/evaluator.js";
import type {RuleContext} from "../../src/core/evaluator/rule.js";
import type {JudgeItem} from "../judge/runner.js";

export interface ItemSelection {
  /** Only these traces; every trace when absent. */
  traceIds?: readonly string[];
  limit?: number;
}

async function rows(connection: DuckDBConnection, sql: string, params: string[] = []): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** Ids are bound as parameters, 500 to a statement, never spliced into SQL. */
async function insertIds(connection: DuckDBConnection, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    await connection.run(`INSERT INTO judge_selection VALUES ${batch.map(() => "(?)").join(", ")}`, [...batch]);
  }
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

export async function readJudgeItems(connection: DuckDBConnection, selection: ItemSelection = {}): Promise<JudgeItem[]> {
  await connection.run("CREATE OR REPLACE TEMP TABLE judge_selection (trace_id VARCHAR)");
  if (selection.traceIds) {
    await insertIds(connection, selection.traceIds);
  } else {
    await connection.run(`INSERT INTO judge_selection SELECT trace_id FROM traces ORDER BY start_time NULLS LAST, trace_id ${selection.limit ? `LIMIT ${Math.floor(selection.limit)}` : ""}`);
  }
  const traces = await rows(
    connection,
    `SELECT t.trace_id, t.session_id, t.status, ${TRACE_FIELDS.map((f) => `t.${f}::DOUBLE AS ${f}`).join(", ")}
     FROM traces t JOIN judge_selection s USING (trace_id) ORDER BY t.start_time NULLS LAST, t.trace_id`
  );
  type Message = RuleContext["messages"][number] & JudgeItem["trace"]["messages"][number];
  type ToolCall = RuleContext["toolCalls"][number] & JudgeItem["trace"]["toolCalls"][number];
  type Span = RuleContext["spans"][number];
  // One array per trace serves both views: the rule reads roles and directions, the judge prompt names.
  const byTrace = new Map<string, {traceId: string; sessionId: string | null; status: RuleContext["status"]; fields: RuleContext["fields"]; messages: Message[]; toolCalls: ToolCall[]; spans: Span[]}>();
  for (const t of traces) {
    const fields: RuleContext["fields"] = {};
    for (const f of TRACE_FIELDS) fields[f] = num(t[f]);
    const id = String(t.trace_id);
    byTrace.set(id, {traceId: id, sessionId: (t.session_id as string | null) ?? null, status: (t.status as RuleContext["status"]) ?? "unset", fields, messages: [], toolCalls: [], spans: []});
  }
  for (const m of await rows(
    connection,
    `SELECT m.trace_id, m.span_id, m.role, m.name, m.direction, m.content FROM messages m JOIN judge_selection s USING (trace_id)
     ORDER BY m.trace_id, m.turn, m.span_id NULLS FIRST, m.idx`
  )) {
    byTrace.get(String(m.trace_id))?.messages.push({
      role: String(m.role), name: (m.name as string | null) ?? null, content: (m.content as string | null) ?? null,
      direction: String(m.direction), spanId: (m.span_id as string | null) ?? null
    });
  }
  for (const c of await rows(
    connection,
    `SELECT c.trace_id, c.span_id, c.name, c.arguments, c.result, c.success FROM tool_calls c JOIN judge_selection s USING (trace_id)
     ORDER BY c.trace_id, c.idx`
  )) {
    byTrace.get(String(c.trace_id))?.toolCalls.push({
      name: String(c.name), arguments: (c.arguments as string | null) ?? null, result: (c.result as string | null) ?? null,
      success: (c.success as boolean | null) ?? null, spanId: (c.span_id as string | null) ?? null
    });
  }
  for (const s of await rows(
    connection,
    `SELECT p.trace_id, p.span_id, p.name, p.kind, p.attributes::VARCHAR AS attributes FROM spans p JOIN judge_selection s USING (trace_id)
     ORDER BY p.trace_id, p.start_time NULLS LAST`
  )) {
    let attributes: Record<string, unknown> = {};
    try {
      attributes = s.attributes ? (JSON.parse(String(s.attributes)) as Record<string, unknown>) : {};
    } catch {
      attributes = {};
    }
    byTrace.get(String(s.trace_id))?.spans.push({spanId: String(s.span_id), name: String(s.name), kind: String(s.kind), attributes});
  }
  return [...byTrace.values()].map((t) => ({
    traceId: t.traceId,
    sessionId: t.sessionId,
    rule: {status: t.status, fields: t.fields, messages: t.messages, spans: t.spans, toolCalls: t.toolCalls},
    trace: {messages: t.messages, toolCalls: t.toolCalls}
  }));
}

/** Trace ids asked for that the store does not hold. */
export async function missingTraces(connection: DuckDBConnection, traceIds: readonly string[]): Promise<string[]> {
  if (!traceIds.length) return [];
  await connection.run("CREATE OR REPLACE TEMP TABLE judge_selection (trace_id VARCHAR)");
  await insertIds(connection, traceIds);
  const known = new Set((await rows(connection, "SELECT trace_id FROM traces JOIN judge_selection USING (trace_id)")).map((r) => String(r.trace_id)));
  return traceIds.filter((id) => !known.has(id));
}
