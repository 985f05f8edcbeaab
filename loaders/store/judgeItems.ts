/**
 * @module What an evaluator reads of each trace, from the store: the trace's numbers and status for thresholds,
 * its messages (in order), spans with attributes, and tool calls.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {TRACE_FIELDS} from "../../src/core/schemas/evaluator.js";
import type {RuleContext} from "../../src/core/evaluator/rule.js";
import type {TraceForJudge} from "../../src/core/evaluator/judgePrompt.js";
import type {Expected} from "../../src/core/evaluator/reference.js";
import {tableExists} from "./db.js";

/** One trace as an evaluator reads it: what rules test and what the judge's prompt shows. */
export interface JudgeItem {
  traceId: string;
  /** The trace's session (its thread), when it has one. */
  sessionId?: string | null;
  rule: RuleContext;
  trace: TraceForJudge;
}

export interface ItemSelection {
  /** Only these traces; every trace when absent. */
  traceIds?: readonly string[];
  limit?: number;
  /**
   * Read span attributes (default true). Only JSONPath rules read them, and they are most of a trace's bytes,
   * so a caller that knows none of its evaluators does can leave them out; spans then carry `{}`.
   */
  spanAttributes?: boolean;
}

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: string[] = []
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/**
 * A result as one array per column. Reading 100,000s of rows this way costs a tenth of building an object per row
 * (measured in `npm run bench -- gate`), and a gate reads every message, span and tool call of its traces.
 */
async function columns(
  connection: DuckDBConnection,
  sql: string
): Promise<{length: number; column: Record<string, unknown[]>}> {
  const reader = await connection.runAndReadAll(sql);
  const column = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  return {length: reader.currentRowCount, column};
}

/** Ids are bound as parameters, 500 to a statement, never spliced into SQL. */
async function insertIds(connection: DuckDBConnection, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    await connection.run(`INSERT INTO judge_selection VALUES ${batch.map(() => "(?)").join(", ")}`, [...batch]);
  }
}

const num = (v: unknown): number | null => (v == null ? null : Number(v));

export async function readJudgeItems(
  connection: DuckDBConnection,
  selection: ItemSelection = {}
): Promise<JudgeItem[]> {
  await connection.run("CREATE OR REPLACE TEMP TABLE judge_selection (trace_id VARCHAR)");
  if (selection.traceIds) {
    await insertIds(connection, selection.traceIds);
  } else {
    await connection.run(
      `INSERT INTO judge_selection SELECT trace_id FROM traces ORDER BY start_time NULLS LAST, trace_id ${selection.limit ? `LIMIT ${Math.floor(selection.limit)}` : ""}`
    );
  }
  // Each selected trace's position in the answer: rows below carry it instead of the trace id, so that hundreds of
  // thousands of id strings are neither decoded nor looked up.
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE judge_order AS SELECT t.trace_id, (row_number() OVER (ORDER BY t.start_time NULLS LAST, t.trace_id) - 1)::INTEGER AS n
     FROM traces t WHERE t.trace_id IN (SELECT trace_id FROM judge_selection)`
  );
  const traces = await columns(
    connection,
    `SELECT t.trace_id, t.session_id, t.status, ${TRACE_FIELDS.map((f) => `t.${f}::DOUBLE AS ${f}`).join(", ")}
     FROM traces t JOIN judge_order o USING (trace_id) ORDER BY o.n`
  );
  type Message = RuleContext["messages"][number] & JudgeItem["trace"]["messages"][number];
  type ToolCall = RuleContext["toolCalls"][number] & JudgeItem["trace"]["toolCalls"][number];
  type Span = RuleContext["spans"][number];
  // One array per trace serves both views: the rule reads roles and directions, the judge prompt names.
  const byTrace: {
    traceId: string;
    sessionId: string | null;
    status: RuleContext["status"];
    fields: RuleContext["fields"];
    messages: Message[];
    toolCalls: ToolCall[];
    spans: Span[];
  }[] = [];
  {
    const {length, column: c} = traces;
    for (let i = 0; i < length; i++) {
      const fields: RuleContext["fields"] = {};
      for (const f of TRACE_FIELDS) fields[f] = num(c[f]![i]);
      const id = String(c.trace_id![i]);
      byTrace.push({
        traceId: id,
        sessionId: (c.session_id![i] as string | null) ?? null,
        status: (c.status![i] as RuleContext["status"]) ?? "unset",
        fields,
        messages: [],
        toolCalls: [],
        spans: []
      });
    }
  }
  {
    const {length, column: c} = await columns(
      connection,
      `SELECT o.n, m.span_id, m.role, m.name, m.direction, m.content FROM messages m JOIN judge_order o USING (trace_id)
       ORDER BY o.n, m.turn, m.span_id NULLS FIRST, m.idx`
    );
    for (let i = 0; i < length; i++) {
      byTrace[c.n![i] as number]!.messages.push({
        role: String(c.role![i]),
        name: (c.name![i] as string | null) ?? null,
        content: (c.content![i] as string | null) ?? null,
        direction: String(c.direction![i]),
        spanId: (c.span_id![i] as string | null) ?? null
      });
    }
  }
  {
    const {length, column: c} = await columns(
      connection,
      `SELECT o.n, c.span_id, c.name, c.arguments, c.result, c.success FROM tool_calls c JOIN judge_order o USING (trace_id)
       ORDER BY o.n, c.idx`
    );
    for (let i = 0; i < length; i++) {
      byTrace[c.n![i] as number]!.toolCalls.push({
        name: String(c.name![i]),
        arguments: (c.arguments![i] as string | null) ?? null,
        result: (c.result![i] as string | null) ?? null,
        success: (c.success![i] as boolean | null) ?? null,
        spanId: (c.span_id![i] as string | null) ?? null
      });
    }
  }
  {
    const {length, column: c} = await columns(
      connection,
      `SELECT o.n, p.span_id, p.name, p.kind, ${selection.spanAttributes === false ? "NULL" : "p.attributes::VARCHAR"} AS attributes FROM spans p JOIN judge_order o USING (trace_id)
       ORDER BY o.n, p.start_time NULLS LAST`
    );
    for (let i = 0; i < length; i++) {
      let attributes: Record<string, unknown> = {};
      const text = c.attributes![i];
      try {
        attributes = text ? (JSON.parse(String(text)) as Record<string, unknown>) : {};
      } catch {
        attributes = {};
      }
      byTrace[c.n![i] as number]!.spans.push({
        spanId: String(c.span_id![i]),
        name: String(c.name![i]),
        kind: String(c.kind![i]),
        attributes
      });
    }
  }
  const expected = await expectedOfCases(connection);
  // Only a case's trace carries `expected`, so every other item is exactly what it was before reference checks.
  return byTrace.map((t, n) => {
    const e = expected.get(n);
    const rule: RuleContext = {
      status: t.status,
      fields: t.fields,
      messages: t.messages,
      spans: t.spans,
      toolCalls: t.toolCalls
    };
    const trace: TraceForJudge = {messages: t.messages, toolCalls: t.toolCalls};
    if (e) rule.expected = trace.expected = e;
    return {traceId: t.traceId, sessionId: t.sessionId, rule, trace};
  });
}

/**
 * What the dataset case of each selected trace expects, for the traces an experiment wrote (joined by case through
 * `experiment_results`), by position in `judge_order`. Reference checks and `{{expected}}` read it.
 */
async function expectedOfCases(connection: DuckDBConnection): Promise<Map<number, Expected>> {
  const found = new Map<number, Expected>();
  if (!(await tableExists(connection, "experiment_results"))) return found;
  const {length, column: c} = await columns(
    connection,
    `SELECT o.n, d.body->>'expectedOutput' AS output, d.body->>'expectedBehaviour' AS behaviour
     FROM judge_order o JOIN experiment_results r USING (trace_id) JOIN experiments e ON e.name = r.experiment
       JOIN dataset_cases d ON d.name = e.dataset AND d.version = e.dataset_version AND d.case_id = r.case_id`
  );
  for (let i = 0; i < length; i++) {
    const output = (c.output![i] as string | null) ?? null;
    const behaviour = (c.behaviour![i] as string | null) ?? null;
    if (output !== null || behaviour !== null) found.set(Number(c.n![i]), {output, behaviour});
  }
  return found;
}

/** Trace ids asked for that the store does not hold. */
export async function missingTraces(connection: DuckDBConnection, traceIds: readonly string[]): Promise<string[]> {
  if (!traceIds.length) return [];
  await connection.run("CREATE OR REPLACE TEMP TABLE judge_selection (trace_id VARCHAR)");
  await insertIds(connection, traceIds);
  const known = new Set(
    (await rows(connection, "SELECT trace_id FROM traces JOIN judge_selection USING (trace_id)")).map((r) =>
      String(r.trace_id)
    )
  );
  return traceIds.filter((id) => !known.has(id));
}
