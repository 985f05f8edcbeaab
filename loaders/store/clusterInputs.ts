/**
 * @module What clustering reads from the store: the structural facts of each trace's signature, and the text a
 * semantic embedding is made from (user turns, the tool sequence, the speakers).
 */
import {listValue, type DuckDBConnection, type DuckDBValue} from "@duckdb/node-api";
import type {SignatureInput} from "../../src/core/clusters/signature.js";
import {noEvidence, type AroundMessage, type TraceEvidence} from "../../src/core/clusters/evidence.js";
import {CODE_RUNNER_OUTPUT, FAILURE_CUE} from "../../src/core/clusters/failureCue.js";
import {tableExists} from "./db.js";

export interface TraceFacts extends SignatureInput {
  sessionId: string;
  /** When the trace happened: its start time, or when it was ingested for traces that carry no time (epoch ms). */
  seenAt: number;
  firstUserMessage: string | null;
}

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = []
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * One row per trace, in trace id order. A retriever span that returned an empty document list is a miss. With
 * `cuesOnly`, only the traces that can have a signature: an error status, a failed tool or step, a retrieval miss
 * or any feedback. The others have none, and leaving them in the store spares converting most of a large
 * workspace's rows for nothing.
 */
export async function readTraceFacts(connection: DuckDBConnection, cuesOnly = false): Promise<TraceFacts[]> {
  const result = await rows(
    connection,
    `
    WITH tools AS (
      -- Not the caller: a signature never names it, and finding it joins every span twice.
      SELECT c.trace_id, list({name: c.name, error: coalesce(c.error, c.result)} ORDER BY c.idx) AS failed
      FROM tool_calls c WHERE c.success = false GROUP BY c.trace_id
    ), error_spans AS (
      -- The deepest failed span that is not a tool call: a failed parent whose failed child explains it comes later.
      SELECT s.trace_id, list({name: s.name, kind: s.kind, message: s.status_message}
        ORDER BY (SELECT count(*) FROM spans c WHERE c.trace_id = s.trace_id AND c.parent_span_id = s.span_id AND c.status = 'error' AND c.kind <> 'tool'),
          s.start_time NULLS LAST, s.span_id) AS spans
      FROM spans s WHERE s.status = 'error' AND s.kind <> 'tool' GROUP BY s.trace_id
    ), misses AS (
      SELECT trace_id, list(name ORDER BY start_time NULLS LAST, span_id) AS names FROM spans
      WHERE kind = 'retriever' AND status <> 'error'
        AND regexp_matches(coalesce(attributes::VARCHAR, ''), '"(retrieval\\.documents|documents|output\\.documents)"\\s*:\\s*\\[\\s*\\]')
      GROUP BY trace_id
    ), fb AS (
      SELECT trace_id, list({name: name, label: label, value: value} ORDER BY name, label) AS items FROM feedback GROUP BY trace_id
    )
    SELECT t.trace_id, t.status, coalesce(t.session_id, t.trace_id) AS session_id,
      epoch_ms(coalesce(t.start_time, t.ingested_at)) AS seen_at, t.first_user_message,
      coalesce(tools.failed, []) AS failed, coalesce(error_spans.spans, []) AS error_spans,
      coalesce(misses.names, []) AS misses, coalesce(fb.items, []) AS feedback
    FROM traces t
    LEFT JOIN tools USING (trace_id) LEFT JOIN error_spans USING (trace_id)
    LEFT JOIN misses USING (trace_id) LEFT JOIN fb USING (trace_id)
    ${
      cuesOnly
        ? `WHERE t.status = 'error' OR tools.trace_id IS NOT NULL OR error_spans.trace_id IS NOT NULL
          OR misses.trace_id IS NOT NULL OR fb.trace_id IS NOT NULL`
        : ""
    }
    ORDER BY t.trace_id`
  );
  return result.map((r) => ({
    traceId: String(r.trace_id),
    status: String(r.status),
    sessionId: String(r.session_id),
    seenAt: Number(r.seen_at),
    firstUserMessage: text(r.first_user_message),
    failedTools: (r.failed as {name: string; error: string | null}[]).map((t) => ({name: t.name, error: t.error})),
    errorSpans: (r.error_spans as {name: string; kind: string; message: string | null}[]).map((s) => ({...s})),
    retrievalMisses: (r.misses as string[]).slice(),
    feedback: (r.feedback as {name: string; label: string | null; value: number | null}[]).map((f) => ({
      name: f.name,
      label: f.label,
      value: f.value === null ? null : Number(f.value)
    }))
  }));
}

/** How many traces the store holds. */
export async function countTraces(connection: DuckDBConnection): Promise<number> {
  return Number((await connection.runAndReadAll("SELECT count(*) FROM traces")).getRows()[0]![0]);
}

/** Per trace: its user turns (each cut to `maxTurnChars`) and the names of the tools it called, in order. */
export async function readTraceTexts(
  connection: DuckDBConnection,
  traceIds: readonly string[],
  maxTurnChars = 600
): Promise<Map<string, {userTurns: string[]; tools: string[]; speakers: string[]}>> {
  const out = new Map<string, {userTurns: string[]; tools: string[]; speakers: string[]}>();
  for (const id of traceIds) out.set(id, {userTurns: [], tools: [], speakers: []});
  if (traceIds.length === 0) return out;
  // The ids travel as one list parameter, so this also runs on the read-only connection a data loader holds.
  const ids = listValue(traceIds.slice());
  const messages = await rows(
    connection,
    `
    SELECT m.trace_id, list(left(m.content, ?) ORDER BY m.idx) FILTER (WHERE m.role = 'user' AND m.content IS NOT NULL) AS turns,
      list(DISTINCT m.name) FILTER (WHERE m.role = 'assistant' AND m.name IS NOT NULL) AS speakers
    FROM messages m WHERE m.trace_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY m.trace_id`,
    [maxTurnChars, ids]
  );
  for (const r of messages) {
    const entry = out.get(String(r.trace_id))!;
    entry.userTurns = ((r.turns as string[] | null) ?? []).slice();
    entry.speakers = ((r.speakers as string[] | null) ?? []).slice().sort();
  }
  const tools = await rows(
    connection,
    `
    SELECT c.trace_id, list(c.name ORDER BY c.idx) AS names FROM tool_calls c WHERE c.trace_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY c.trace_id`,
    [ids]
  );
  for (const r of tools) out.get(String(r.trace_id))!.tools = (r.names as string[]).slice();
  return out;
}

/** What `readTraceEvidence` leaves out: annotations, when the clusters are to be measured against them. */
export interface EvidenceOptions {
  annotations: boolean;
  /** Each message or answer is cut to this many characters. */
  maxChars: number;
}

export const DEFAULT_EVIDENCE_OPTIONS: EvidenceOptions = {annotations: true, maxChars: 300};

/**
 * Per trace, the evidence of what went wrong (see `TraceEvidence`): failed tool calls' errors, failed steps'
 * messages, the agent that acted just before the first failure and the messages beside it, the last assistant
 * message, failing labels' failure modes and explanations (unless left out), and failing judges' reasoning. No
 * feedback is read: feedback holds what people blamed, and clusters are measured against it.
 */
export async function readTraceEvidence(
  connection: DuckDBConnection,
  traceIds: readonly string[],
  options: EvidenceOptions = DEFAULT_EVIDENCE_OPTIONS
): Promise<Map<string, TraceEvidence>> {
  const out = new Map<string, TraceEvidence>();
  for (const id of traceIds) out.set(id, noEvidence());
  if (traceIds.length === 0) return out;
  const ids = listValue(traceIds.slice());
  const cut = options.maxChars;
  const entry = (id: unknown) => out.get(String(id))!;
  const texts = (v: unknown) => ((v as (string | null)[] | null) ?? []).filter((x): x is string => x !== null);
  for (const r of await rows(
    connection,
    `WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS trace_id)
    SELECT trace_id, list(DISTINCT e) AS errors FROM (
      SELECT c.trace_id, c.name || ': ' || left(coalesce(c.error, c.result), ${cut}) AS e FROM tool_calls c JOIN wanted USING (trace_id)
      WHERE c.success = false
      UNION ALL
      SELECT s.trace_id, s.name || ': ' || left(s.status_message, ${cut}) FROM spans s JOIN wanted USING (trace_id)
      WHERE s.status = 'error' AND s.status_message IS NOT NULL AND s.kind <> 'tool'
    ) WHERE e IS NOT NULL GROUP BY trace_id`,
    [ids]
  ))
    entry(r.trace_id).errors = texts(r.errors).sort();
  // The first failure is where the first failed tool call's result was read; in a trace whose tools record no
  // failure, the first transcript message that reads as one (FAILURE_CUE). Around it: the message before, the
  // message itself and the one after, each under its speaker's name; and the agent that acted just before it.
  for (const r of await rows(
    connection,
    `WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS trace_id),
    first_failure AS (
      SELECT c.trace_id, arg_min(c.call_id, c.idx) AS call_id FROM tool_calls c JOIN wanted USING (trace_id)
      WHERE c.success = false GROUP BY c.trace_id
    ), failed_call AS (
      SELECT m.trace_id, min(m.idx) AS idx FROM messages m JOIN first_failure f
        ON f.trace_id = m.trace_id AND m.tool_call_id = f.call_id GROUP BY m.trace_id
    ), transcript AS (
      SELECT m.trace_id, m.idx, m.content, min(m.idx) OVER (PARTITION BY m.trace_id) AS first_idx
      FROM messages m JOIN wanted USING (trace_id)
      WHERE m.direction = 'transcript' AND m.trace_id NOT IN (SELECT trace_id FROM failed_call)
    ), failed_text AS (
      -- The first message states the task, so a word like "error" there reports nothing yet.
      SELECT trace_id, min(idx) AS idx FROM transcript
      WHERE idx > first_idx AND content IS NOT NULL AND regexp_matches(content, ?, 'i')
      GROUP BY trace_id
    ), failed_at AS (
      SELECT trace_id, idx FROM failed_call UNION ALL SELECT trace_id, idx FROM failed_text
    ), before AS (
      SELECT m.trace_id, f.idx AS failed_idx, m.idx, m.role, m.name, m.content FROM messages m JOIN failed_at f
        ON f.trace_id = m.trace_id AND m.idx <= f.idx + 1
      WHERE m.direction = 'transcript'
    ), reporter AS (
      SELECT trace_id, any_value(name) AS name FROM before WHERE idx = failed_idx GROUP BY trace_id
    )
    SELECT b.trace_id,
      list({speaker: coalesce(b.name, b.role), text: left(b.content, ${cut})} ORDER BY b.idx)
        FILTER (WHERE b.idx >= b.failed_idx - 1 AND b.content IS NOT NULL) AS around,
      arg_max(b.name, b.idx) FILTER (WHERE b.idx < b.failed_idx AND b.name IS NOT NULL AND b.role <> 'tool'
        AND b.name IS DISTINCT FROM r.name) AS acting
    FROM before b LEFT JOIN reporter r USING (trace_id) GROUP BY b.trace_id`,
    [ids, FAILURE_CUE]
  )) {
    entry(r.trace_id).aroundFailure = ((r.around as AroundMessage[] | null) ?? []).map((m) => ({...m}));
    entry(r.trace_id).actingAgent = text(r.acting);
  }
  // The team: every named speaker but a tool. The last agent: the last of them to speak, other than a code runner
  // (a speaker that reports an exit code), whose output closes nothing.
  for (const r of await rows(
    connection,
    `WITH named AS (
      SELECT m.trace_id, m.idx, m.name, m.content FROM messages m
      WHERE m.trace_id IN (SELECT unnest(?::VARCHAR[])) AND m.direction = 'transcript' AND m.name IS NOT NULL
        AND m.role <> 'tool'
    ), runners AS (
      SELECT DISTINCT trace_id, name FROM named WHERE regexp_matches(content, ?, 'i')
    )
    SELECT n.trace_id, list_sort(list(DISTINCT n.name)) AS team,
      arg_max(n.name, n.idx) FILTER (WHERE r.name IS NULL) AS last_agent
    FROM named n LEFT JOIN runners r ON r.trace_id = n.trace_id AND r.name = n.name GROUP BY n.trace_id`,
    [ids, CODE_RUNNER_OUTPUT]
  )) {
    entry(r.trace_id).team = texts(r.team);
    entry(r.trace_id).lastAgent = text(r.last_agent);
  }
  for (const r of await rows(
    connection,
    `SELECT m.trace_id, arg_max(left(m.content, ${cut}), (m.turn, m.idx)) AS answer,
      arg_max(m.name, (m.turn, m.idx)) AS answered_by FROM messages m
    WHERE m.trace_id IN (SELECT unnest(?::VARCHAR[])) AND m.role = 'assistant' AND m.content IS NOT NULL
      AND m.direction IN ('transcript', 'output')
    GROUP BY m.trace_id`,
    [ids]
  )) {
    entry(r.trace_id).finalAnswer = text(r.answer);
    entry(r.trace_id).answeredBy = text(r.answered_by);
  }
  if (options.annotations) {
    const sources: string[] = [];
    if (await tableExists(connection, "human_labels"))
      sources.push("SELECT trace_id, failure_mode, explanation FROM human_labels WHERE pass = false");
    if (await tableExists(connection, "imported_human_labels"))
      sources.push("SELECT trace_id, failure_mode, explanation FROM imported_human_labels WHERE pass = false");
    if (sources.length > 0)
      for (const r of await rows(
        connection,
        `SELECT trace_id, list(DISTINCT concat_ws(': ', failure_mode, left(explanation, ${cut}))) AS notes
        FROM (${sources.join(" UNION ALL ")}) WHERE trace_id IN (SELECT unnest(?::VARCHAR[]))
          AND (failure_mode IS NOT NULL OR explanation IS NOT NULL)
        GROUP BY trace_id`,
        [ids]
      ))
        entry(r.trace_id).annotations = texts(r.notes).sort();
  }
  if (await tableExists(connection, "judge_verdicts"))
    for (const r of await rows(
      connection,
      `SELECT trace_id, list(DISTINCT left(reasoning, ${cut})) AS reasons FROM judge_verdicts
      WHERE trace_id IN (SELECT unnest(?::VARCHAR[])) AND outcome = 'fail' AND reasoning IS NOT NULL GROUP BY trace_id`,
      [ids]
    ))
      entry(r.trace_id).judgeReasoning = texts(r.reasons).sort();
  return out;
}
