/** @module The overview page's numbers: what the workspace holds, by format, status, model and day. */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {WorkspaceSummary} from "../../src/core/explore/summary.js";

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function workspaceSummary(connection: DuckDBConnection): Promise<WorkspaceSummary> {
  const [totals] = await rows(
    connection,
    `SELECT
    (SELECT count(*) FROM traces) AS traces, (SELECT count(*) FROM spans) AS spans,
    (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM tool_calls) AS tool_calls,
    (SELECT count(*) FROM tool_calls WHERE success = false) AS tool_errors, (SELECT count(*) FROM feedback) AS feedback,
    (SELECT count(DISTINCT source_file) FROM traces) AS sources,
    (SELECT epoch_ms(min(start_time)) FROM traces) AS first_trace, (SELECT epoch_ms(max(start_time)) FROM traces) AS last_trace,
    (SELECT epoch_ms(max(ingested_at)) FROM traces) AS last_ingest`
  );
  const t = totals!;
  return {
    traces: num(t.traces)!,
    spans: num(t.spans)!,
    messages: num(t.messages)!,
    toolCalls: num(t.tool_calls)!,
    toolErrors: num(t.tool_errors)!,
    feedback: num(t.feedback)!,
    sources: num(t.sources)!,
    firstTrace: num(t.first_trace),
    lastTrace: num(t.last_trace),
    lastIngest: num(t.last_ingest),
    byFormat: (
      await rows(
        connection,
        `SELECT format, count(*) AS traces, count(*) FILTER (WHERE status = 'error') AS errors,
        count(*) FILTER (WHERE start_time IS NULL) AS undated
      FROM traces GROUP BY format ORDER BY traces DESC, format`
      )
    ).map((r) => ({
      format: String(r.format),
      traces: num(r.traces)!,
      errors: num(r.errors)!,
      undated: num(r.undated)!
    })),
    byStatus: (
      await rows(
        connection,
        `SELECT status, count(*) AS traces FROM traces GROUP BY status ORDER BY traces DESC, status`
      )
    ).map((r) => ({status: String(r.status), traces: num(r.traces)!})),
    byModel: (
      await rows(
        connection,
        `SELECT model, count(*) AS traces, sum(total_tokens) AS tokens, sum(cost_usd) AS cost
      FROM traces GROUP BY model ORDER BY traces DESC, model NULLS LAST LIMIT 20`
      )
    ).map((r) => ({
      model: r.model === null ? null : String(r.model),
      traces: num(r.traces)!,
      tokens: num(r.tokens),
      cost: num(r.cost)
    })),
    byDay: (
      await rows(
        connection,
        `SELECT epoch_ms(date_trunc('day', start_time)) AS day, status, count(*) AS traces
      FROM traces WHERE start_time IS NOT NULL GROUP BY ALL ORDER BY day, status`
      )
    ).map((r) => ({day: num(r.day)!, status: String(r.status), traces: num(r.traces)!}))
  };
}
