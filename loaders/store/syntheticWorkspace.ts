/**
 * @module Large synthetic workspaces, generated inside DuckDB, for measuring loaders and pages at scale.
 *
 * The shape follows an agent run: one root span per trace, alternating model and tool calls under it, a few
 * messages per turn, tool calls of which some fail, and feedback on some traces. Text lengths vary by row so
 * that sizes and compression ratios resemble real transcripts rather than a repeated constant.
 */
import {withConnection} from "./db.js";

export interface SyntheticOptions {
  traces: number;
  /** Spans per trace, root included. */
  spansPerTrace?: number;
  messagesPerTrace?: number;
  toolCallsPerTrace?: number;
}

export async function writeSyntheticWorkspace(workspace: string, options: SyntheticOptions): Promise<void> {
  const {traces, spansPerTrace = 10, messagesPerTrace = 8, toolCallsPerTrace = 3} = options;
  // Text built from an md5 per row plus words, repeated a row-dependent number of times.
  const text = (seed: string, repeats: string) =>
    `repeat(md5((${seed})::VARCHAR) || ' the customer asked about the refund policy for order ' || (${seed}) % 9973 || '. ', ${repeats})`;
  const statements = [
    `INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, status,
       status_message, model, input_tokens, output_tokens, cost_usd, attributes)
     SELECT 't' || t, 't' || t || '-s' || j, CASE WHEN j = 0 THEN NULL ELSE 't' || t || '-s0' END,
       CASE WHEN j = 0 THEN 'agent run' WHEN j % 2 = 1 THEN 'chat gpt-4o' ELSE 'tool lookup_order' END,
       CASE WHEN j = 0 THEN 'agent' WHEN j % 2 = 1 THEN 'llm' ELSE 'tool' END,
       TIMESTAMP '2026-01-01' + to_milliseconds(t * 60000 + j * 400),
       TIMESTAMP '2026-01-01' + to_milliseconds(t * 60000 + j * 400 + CASE WHEN j = 0 THEN ${spansPerTrace} * 400 ELSE 300 + (t * j) % 97 END),
       CASE WHEN j = 0 THEN ${spansPerTrace} * 400 ELSE 300 + (t * j) % 97 END,
       CASE WHEN (t + j) % 29 = 0 THEN 'error' ELSE 'ok' END,
       CASE WHEN (t + j) % 29 = 0 THEN 'upstream timeout after 30s' END,
       CASE WHEN j % 2 = 1 THEN 'gpt-4o' END,
       CASE WHEN j % 2 = 1 THEN 200 + (t * 7 + j) % 900 END,
       CASE WHEN j % 2 = 1 THEN 20 + (t * 3 + j) % 300 END,
       CASE WHEN j % 2 = 1 THEN 0.0001 * ((t + j) % 50) END,
       CASE WHEN j % 2 = 1 THEN json_object('gen_ai.request.model', 'gpt-4o', 'input.value', ${text("t * 31 + j", "1 + (t + j) % 12")})
            ELSE json_object('tool.name', 'lookup_order') END
     FROM range(${traces}) r(t), range(${spansPerTrace}) s(j)`,
    `INSERT INTO messages (trace_id, span_id, idx, direction, turn, role, name, content, tool_call_id)
     SELECT 't' || t, 't' || t || '-s' || (1 + 2 * (k // 2)), k, 'transcript', k // 4,
       CASE k % 4 WHEN 0 THEN 'user' WHEN 1 THEN 'assistant' WHEN 2 THEN 'tool' ELSE 'assistant' END,
       CASE WHEN k % 4 = 1 THEN 'planner' END,
       ${text("t * 17 + k", "1 + (t * k) % 15")},
       CASE WHEN k % 4 = 2 THEN 't' || t || '-c' || (k // 4) END
     FROM range(${traces}) r(t), range(${messagesPerTrace}) m(k)`,
    `INSERT INTO tool_calls (trace_id, span_id, call_id, idx, name, arguments, result, success, error)
     SELECT 't' || t, 't' || t || '-s' || (2 + 2 * c), 't' || t || '-c' || c, c, 'lookup_order',
       json_object('order_id', (t * 13 + c) % 99991, 'include_history', c % 2 = 0)::VARCHAR,
       CASE WHEN (t + c) % 11 = 0 THEN NULL ELSE ${text("t * 5 + c", "1 + (t + c) % 8")} END,
       CASE WHEN (t + c) % 11 = 0 THEN false ELSE true END,
       CASE WHEN (t + c) % 11 = 0 THEN 'KeyError: order not found' END
     FROM range(${traces}) r(t), range(${toolCallsPerTrace}) c(c)`,
    `INSERT INTO feedback (trace_id, span_id, name, value, label, comment, source)
     SELECT 't' || t, NULL, 'thumbs', CASE WHEN t % 2 = 0 THEN 1 ELSE 0 END, NULL,
       CASE WHEN t % 6 = 0 THEN 'wrong refund amount' END, 'user'
     FROM range(${traces}) r(t) WHERE t % 3 = 0`,
    `INSERT INTO traces (trace_id, session_id, user_id, name, format, source_file, start_time, end_time, latency_ms,
       status, model, prompt_version, input_tokens, output_tokens, total_tokens, cost_usd, span_count,
       message_count, tool_call_count, tool_error_count, feedback_count, tags, metadata, first_user_message,
       ingested_at)
     SELECT 't' || t, 'sess' || (t // 5), 'user' || (t % 300), 'support agent', 'otlp', 'synthetic',
       TIMESTAMP '2026-01-01' + to_milliseconds(t * 60000),
       TIMESTAMP '2026-01-01' + to_milliseconds(t * 60000 + ${spansPerTrace} * 400),
       ${spansPerTrace} * 400,
       CASE WHEN EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = 't' || t AND s.status = 'error') THEN 'error' ELSE 'ok' END,
       CASE WHEN t % 4 = 0 THEN 'gpt-4o-mini' ELSE 'gpt-4o' END, 'v' || (1 + t % 3),
       CASE WHEN t % 10 = 0 THEN NULL ELSE 1000 + t % 5000 END,
       CASE WHEN t % 10 = 0 THEN NULL ELSE 100 + t % 700 END,
       CASE WHEN t % 10 = 0 THEN NULL ELSE 1100 + t % 5000 + t % 700 END,
       CASE WHEN t % 10 = 0 THEN NULL ELSE 0.001 * (t % 40) END,
       ${spansPerTrace}, ${messagesPerTrace}, ${toolCallsPerTrace},
       (SELECT count(*) FROM range(${toolCallsPerTrace}) c(c) WHERE (t + c) % 11 = 0),
       CASE WHEN t % 3 = 0 THEN 1 ELSE 0 END, [], '{}', ${text("t * 17", "1 + (t * 0) % 15")}, now()::TIMESTAMP
     FROM range(${traces}) r(t)`
  ];
  await withConnection(workspace, async (connection) => {
    for (const sql of statements) await connection.run(sql);
    await connection.run("CHECKPOINT");
  });
}
