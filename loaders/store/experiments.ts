/**
 * @module The `experiments`, `experiment_results` and `experiment_cache` tables, and the traces an experiment
 * writes. A case's trace is written as any other trace (a `trace_sources` row, a root span, messages and tool
 * calls, and its `traces` row derived from them), so the evaluators and the gate read it like ingested traffic.
 * Spans a task exported over OTLP with the case's `traceparent` carry the same trace id and join the same trace.
 */
import type {DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import {
  EXPERIMENT_METADATA,
  ExperimentResultSchema,
  ExperimentSchema,
  ExperimentTaskSchema,
  experimentSource,
  type Experiment,
  type ExperimentResult
} from "../../src/core/schemas/experiment.js";
import {issueText} from "../../src/core/schemas/issues.js";
import {PlumblineError} from "../errors.js";
import {tableExists} from "./db.js";
import {insertRows} from "./insertRows.js";

/** An experiment the store does not hold, or one that exists where a new one was asked for. */
export class ExperimentError extends PlumblineError {
  override readonly name = "ExperimentError";
}

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = []
): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const num = (v: unknown) => (v == null ? null : Number(v));

function experimentOf(r: Record<string, unknown>): Experiment {
  const parsed = ExperimentSchema.safeParse({
    name: r.name,
    dataset: r.dataset,
    datasetVersion: Number(r.dataset_version),
    task: ExperimentTaskSchema.parse(JSON.parse(String(r.task))),
    status: r.status,
    startedAt: iso(r.started_at),
    finishedAt: r.finished_at == null ? null : iso(r.finished_at),
    total: Number(r.total),
    done: Number(r.done),
    errors: Number(r.errors),
    cached: Number(r.cached),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    costUsd: num(r.cost_usd)
  });
  if (!parsed.success) throw new ExperimentError(`experiment ${String(r.name)}: ${issueText(parsed.error, "row")}`);
  return parsed.data;
}

const EXPERIMENT_COLUMNS = "*, task::VARCHAR AS task";

/** Every experiment, newest first. An older workspace without the tables has none. */
export async function listExperiments(connection: DuckDBConnection): Promise<Experiment[]> {
  if (!(await tableExists(connection, "experiments"))) return [];
  return (await rows(connection, `SELECT ${EXPERIMENT_COLUMNS} FROM experiments ORDER BY started_at DESC, name`)).map(
    experimentOf
  );
}

export async function readExperiment(connection: DuckDBConnection, name: string): Promise<Experiment | null> {
  if (!(await tableExists(connection, "experiments"))) return null;
  const [r] = await rows(connection, `SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?`, [name]);
  return r ? experimentOf(r) : null;
}

/** Writes the experiment's row, replacing the one of that name. */
export async function writeExperiment(connection: DuckDBConnection, e: Experiment): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run("DELETE FROM experiments WHERE name = ?", [e.name]);
    await insertRows(
      connection,
      "experiments",
      17,
      [
        [
          e.name,
          e.dataset,
          e.datasetVersion,
          e.task.kind,
          e.task.version,
          e.task.model,
          JSON.stringify(e.task),
          e.status,
          e.startedAt,
          e.finishedAt,
          e.total,
          e.done,
          e.errors,
          e.cached,
          e.inputTokens,
          e.outputTokens,
          e.costUsd
        ]
      ],
      [, , , , , , "JSON", , "TIMESTAMP", "TIMESTAMP"]
    );
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}

/** The experiment's results in case order. */
export async function readExperimentResults(connection: DuckDBConnection, name: string): Promise<ExperimentResult[]> {
  if (!(await tableExists(connection, "experiment_results"))) return [];
  return (
    await rows(connection, "SELECT * FROM experiment_results WHERE experiment = ? ORDER BY ord, case_id", [name])
  ).map((r) =>
    ExperimentResultSchema.parse({
      experiment: r.experiment,
      caseId: r.case_id,
      ord: Number(r.ord),
      traceId: r.trace_id,
      status: r.status,
      output: r.output ?? null,
      error: r.error ?? null,
      inputTokens: num(r.input_tokens),
      outputTokens: num(r.output_tokens),
      costUsd: num(r.cost_usd),
      latencyMs: num(r.latency_ms),
      attempts: Number(r.attempts),
      cached: Boolean(r.cached),
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at)
    })
  );
}

/** A case's trace as the experiment writes it. */
export interface ExperimentTrace {
  traceId: string;
  /** The root span: the task's own OTLP spans name it as their parent. */
  rootSpanId: string;
  experiment: string;
  caseId: string;
  name: string;
  startTime: Date;
  endTime: Date;
  status: "ok" | "error";
  statusMessage: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  messages: readonly {role: string; name: string | null; content: string | null; direction: "input" | "output"}[];
  toolCalls: readonly {name: string; arguments: string | null; result: string | null; success: boolean | null}[];
  metadata: Record<string, unknown>;
}

/**
 * Writes finished cases in one transaction: their result rows (replacing an earlier row of the same case) and
 * their traces (replacing what an earlier run of the case wrote, never what an OTLP export added).
 */
export async function writeExperimentCases(
  connection: DuckDBConnection,
  cases: readonly {result: ExperimentResult; trace: ExperimentTrace}[]
): Promise<void> {
  if (cases.length === 0) return;
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run("CREATE OR REPLACE TEMP TABLE experiment_touched (trace_id VARCHAR, span_id VARCHAR)");
    await insertRows(
      connection,
      "experiment_touched",
      2,
      cases.map((c) => [c.trace.traceId, c.trace.rootSpanId])
    );
    const byRoot = "(trace_id, span_id) IN (SELECT trace_id, span_id FROM experiment_touched)";
    await connection.run(
      `DELETE FROM experiment_results WHERE (experiment, case_id) IN (SELECT * FROM (VALUES ${cases.map(() => "(?, ?)").join(", ")}))`,
      cases.flatMap((c) => [c.result.experiment, c.result.caseId])
    );
    for (const table of ["spans", "messages", "tool_calls"])
      await connection.run(`DELETE FROM ${table} WHERE ${byRoot}`);
    await connection.run(
      `DELETE FROM trace_sources WHERE format = 'experiment' AND trace_id IN (SELECT trace_id FROM experiment_touched)`
    );
    await insertRows(
      connection,
      "experiment_results",
      15,
      cases.map(({result: r}) => [
        r.experiment,
        r.caseId,
        r.ord,
        r.traceId,
        r.status,
        r.output,
        r.error,
        r.inputTokens,
        r.outputTokens,
        r.costUsd,
        r.latencyMs,
        r.attempts,
        r.cached,
        r.startedAt,
        r.finishedAt
      ]),
      [, , , , , , , , , , , , , "TIMESTAMP", "TIMESTAMP"]
    );
    const traces = cases.map((c) => c.trace);
    // ord -1: the experiment's account of the trace comes before any OTLP source's when the trace row is derived.
    await insertRows(
      connection,
      "trace_sources",
      18,
      traces.map((t) => [
        t.traceId,
        "experiment",
        experimentSource(t.experiment),
        -1,
        `${t.traceId}:${t.experiment}`,
        null,
        null,
        t.name,
        t.startTime.toISOString(),
        t.endTime.toISOString(),
        t.status,
        t.model,
        null,
        t.inputTokens,
        t.outputTokens,
        t.costUsd,
        null,
        JSON.stringify({
          ...t.metadata,
          [EXPERIMENT_METADATA.experiment]: t.experiment,
          [EXPERIMENT_METADATA.caseId]: t.caseId
        })
      ]),
      [, , , , , , , , "TIMESTAMP", "TIMESTAMP", , , , , , , , "JSON"]
    );
    await insertRows(
      connection,
      "spans",
      15,
      traces.map((t) => [
        t.traceId,
        t.rootSpanId,
        null,
        t.name,
        "chain",
        t.startTime.toISOString(),
        t.endTime.toISOString(),
        t.endTime.getTime() - t.startTime.getTime(),
        t.status,
        t.statusMessage,
        null,
        null,
        null,
        null,
        JSON.stringify({[EXPERIMENT_METADATA.experiment]: t.experiment, [EXPERIMENT_METADATA.caseId]: t.caseId})
      ]),
      [, , , , , "TIMESTAMP", "TIMESTAMP", , , , , , , , "JSON"]
    );
    await insertRows(
      connection,
      "messages",
      9,
      traces.flatMap((t) =>
        t.messages.map((m, idx) => [t.traceId, t.rootSpanId, idx, m.direction, 0, m.role, m.name, m.content, null])
      )
    );
    await insertRows(
      connection,
      "tool_calls",
      9,
      traces.flatMap((t) =>
        t.toolCalls.map((c, idx) => [
          t.traceId,
          t.rootSpanId,
          `${t.rootSpanId}-${idx}`,
          idx,
          c.name,
          c.arguments,
          c.result,
          c.success,
          c.success === false ? c.result : null
        ])
      )
    );
    await rebuildTraceRows(connection);
    await connection.run("DROP TABLE experiment_touched");
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}

/**
 * Derives the `traces` rows of the touched traces from everything the store holds of them, as the ingest's merge
 * does (the experiment's source first, spans for what it leaves unknown), so spans an OTLP export delivered before
 * the case finished are counted in.
 */
async function rebuildTraceRows(connection: DuckDBConnection): Promise<void> {
  const touched = "trace_id IN (SELECT trace_id FROM experiment_touched)";
  await connection.run(`DELETE FROM traces WHERE ${touched}`);
  const first = (column: string) => `arg_min(${column}, ord) FILTER (WHERE ${column} IS NOT NULL)`;
  await connection.run(`
    INSERT INTO traces
    WITH src AS (
      SELECT trace_id, arg_min(format, ord) AS format, arg_min(source_file, ord) AS source_file,
        ${first("session_id")} AS session_id, ${first("user_id")} AS user_id, ${first("name")} AS name,
        ${first("start_time")} AS start_time, ${first("end_time")} AS end_time, ${first("status")} AS status,
        ${first("model")} AS model, ${first("prompt_version")} AS prompt_version,
        ${first("input_tokens")} AS input_tokens, ${first("output_tokens")} AS output_tokens,
        ${first("cost_usd")} AS cost_usd, arg_min(metadata, ord) AS metadata
      FROM trace_sources WHERE ${touched} GROUP BY trace_id),
    sp AS (
      SELECT trace_id, count(*) AS n, min(start_time) AS start_time, max(end_time) AS end_time,
        coalesce(sum(input_tokens) FILTER (WHERE kind IN ('llm', 'embedding')), sum(input_tokens)) AS input_tokens,
        coalesce(sum(output_tokens) FILTER (WHERE kind IN ('llm', 'embedding')), sum(output_tokens)) AS output_tokens,
        coalesce(sum(cost_usd) FILTER (WHERE kind IN ('llm', 'embedding')), sum(cost_usd)) AS cost_usd,
        mode(model) AS model
      FROM spans WHERE ${touched} GROUP BY trace_id),
    msg AS (SELECT trace_id, count(*) AS n FROM messages WHERE ${touched} GROUP BY trace_id),
    first_user AS (
      SELECT trace_id, arg_min(content, (direction, idx)) AS content FROM messages
      WHERE ${touched} AND role = 'user' AND content IS NOT NULL GROUP BY trace_id),
    tc AS (
      SELECT trace_id, count(*) AS n, count(*) FILTER (WHERE success = false) AS errors
      FROM tool_calls WHERE ${touched} GROUP BY trace_id),
    fb AS (SELECT trace_id, count(*) AS n FROM feedback WHERE ${touched} GROUP BY trace_id)
    SELECT t.trace_id, src.session_id, src.user_id, src.name, coalesce(src.format, 'unknown'), src.source_file,
      coalesce(src.start_time, sp.start_time), coalesce(src.end_time, sp.end_time),
      epoch_us(coalesce(src.end_time, sp.end_time)) / 1000.0 - epoch_us(coalesce(src.start_time, sp.start_time)) / 1000.0,
      coalesce(src.status, 'unset'), coalesce(src.model, sp.model), src.prompt_version,
      coalesce(src.input_tokens, sp.input_tokens), coalesce(src.output_tokens, sp.output_tokens),
      coalesce(src.input_tokens, sp.input_tokens) + coalesce(src.output_tokens, sp.output_tokens),
      coalesce(src.cost_usd, sp.cost_usd),
      coalesce(sp.n, 0), coalesce(msg.n, 0), coalesce(tc.n, 0), coalesce(tc.errors, 0), coalesce(fb.n, 0),
      [], coalesce(src.metadata, '{}'), first_user.content, now()::TIMESTAMP
    FROM (SELECT DISTINCT trace_id FROM experiment_touched) t
      LEFT JOIN src USING (trace_id) LEFT JOIN sp USING (trace_id) LEFT JOIN msg USING (trace_id)
      LEFT JOIN first_user USING (trace_id) LEFT JOIN tc USING (trace_id) LEFT JOIN fb USING (trace_id)`);
}

/** A task's cached answer: the answer as the task gave it, and what it cost when it was made. */
export interface TaskCacheEntry {
  key: string;
  taskVersion: string;
  caseHash: string;
  answer: unknown;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
}

export async function cachedAnswers(
  connection: DuckDBConnection,
  keys: readonly string[]
): Promise<Map<string, TaskCacheEntry>> {
  const found = new Map<string, TaskCacheEntry>();
  for (let start = 0; start < keys.length; start += 500) {
    const batch = keys.slice(start, start + 500);
    const result = await rows(
      connection,
      `SELECT *, answer::VARCHAR AS answer FROM experiment_cache WHERE cache_key IN (${batch.map(() => "?").join(", ")})`,
      [...batch]
    );
    for (const r of result)
      found.set(String(r.cache_key), {
        key: String(r.cache_key),
        taskVersion: String(r.task_version),
        caseHash: String(r.case_hash),
        answer: JSON.parse(String(r.answer)),
        inputTokens: num(r.input_tokens),
        outputTokens: num(r.output_tokens),
        costUsd: num(r.cost_usd),
        latencyMs: num(r.latency_ms)
      });
  }
  return found;
}

export async function writeCachedAnswers(
  connection: DuckDBConnection,
  entries: readonly TaskCacheEntry[]
): Promise<void> {
  if (entries.length === 0) return;
  const now = new Date().toISOString();
  await insertRows(
    connection,
    "experiment_cache",
    9,
    entries.map((e) => [
      e.key,
      e.taskVersion,
      e.caseHash,
      JSON.stringify(e.answer),
      e.inputTokens,
      e.outputTokens,
      e.costUsd,
      e.latencyMs,
      now
    ]),
    [, , , "JSON", , , , , "TIMESTAMP"]
  );
}

/** Which experiment case each of these traces is, for the traces an experiment wrote. */
export async function experimentCasesOf(
  connection: DuckDBConnection,
  traceIds: readonly string[]
): Promise<Map<string, {experiment: string; caseId: string; dataset: string; datasetVersion: number}>> {
  const found = new Map<string, {experiment: string; caseId: string; dataset: string; datasetVersion: number}>();
  if (!(await tableExists(connection, "experiment_results"))) return found;
  for (let start = 0; start < traceIds.length; start += 500) {
    const batch = traceIds.slice(start, start + 500);
    const result = await rows(
      connection,
      `SELECT r.trace_id, r.experiment, r.case_id, e.dataset, e.dataset_version
       FROM experiment_results r JOIN experiments e ON e.name = r.experiment
       WHERE r.trace_id IN (${batch.map(() => "?").join(", ")})`,
      [...batch]
    );
    for (const r of result)
      found.set(String(r.trace_id), {
        experiment: String(r.experiment),
        caseId: String(r.case_id),
        dataset: String(r.dataset),
        datasetVersion: Number(r.dataset_version)
      });
  }
  return found;
}
