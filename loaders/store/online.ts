/**
 * @module What online evaluation reads and writes in the store: the traces that are complete (quiet), those an
 * evaluator version has already judged online, the calls its passes spent, and a pass's record.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Scope} from "../../src/core/schemas/evaluator.js";

/** Run ids of online passes start with this, so their verdicts can be told from batch runs'. */
export const ONLINE_RUN_PREFIX = "online-";

/** An evaluator version's errors are retried by later passes this many times; then the trace is left alone. */
export const ONLINE_ATTEMPTS = 3;

/** A share is drawn in steps of 1/10,000: the sample of a trace (or thread) is its hash modulo this. */
export const SAMPLE_POINTS = 10_000;

/**
 * Whether the SQL id expression `unit` falls in the share for the key bound as `$key`: the low 64 bits of the MD5 of
 * key and id, modulo SAMPLE_POINTS, below `$points`. MD5 rather than DuckDB's `hash()`, which is DuckDB's internal
 * hash and changed between releases: a sample must stay the same across restarts and upgrades alike. The key
 * (the evaluator id) makes two evaluators sample different traces.
 */
export function inSampleSql(unit: string): string {
  return `(md5_number_lower($key || ':' || ${unit}) % ${SAMPLE_POINTS}) < $points`;
}

/** The share (0–1) as the count of sample points it takes. */
export function samplePoints(share: number): number {
  return Math.round(Math.min(1, Math.max(0, share)) * SAMPLE_POINTS);
}

export interface DueSelection {
  /** Complete means nothing arrived since this time. */
  quietSince: Date;
  evaluatorId: string;
  evaluatorVersion: string;
  /** The share of traces (of threads, for a thread-scoped evaluator) evaluated, 0–1. */
  sample: number;
  /** A thread-scoped evaluator waits for the whole thread and takes all of its traces. */
  scope: Scope;
}

export interface DueTrace {
  traceId: string;
  /** The trace's thread (its session id, else its own id): the unit a thread-scoped evaluator judges. */
  thread: string;
}

/**
 * Traces due for an evaluator version online: complete, not yet settled by it, and in its sample. Complete means
 * no new span since `quietSince`, read from `ingested_at`, the last time the trace's row was rebuilt (by an ingest
 * or by spans arriving): the one condition to change should a received-time column replace it. Settled means a
 * verdict since the trace was last rebuilt, or as many errors as it is allowed; a trace rebuilt since its verdict
 * (new spans) is judged again, as the trace it has become.
 *
 * For a thread-scoped evaluator the unit is the thread: it is sampled by its id, complete once none of its traces
 * has been rebuilt since `quietSince`, and due when any of its traces is unsettled; then every one of its traces is
 * returned, since the rule reads them all and each gets the thread's verdict. Rows come thread by thread, threads
 * in the order they went quiet.
 *
 * The sample, the anti-join and the quiet test all run in the store, so a pass reads only the ids it may judge.
 */
export async function dueTraces(connection: DuckDBConnection, selection: DueSelection): Promise<DueTrace[]> {
  const unit = selection.scope === "thread" ? "coalesce(t.session_id, t.trace_id)" : "t.trace_id";
  const reader = await connection.runAndReadAll(
    `WITH settled AS (
       SELECT v.trace_id, count(*) FILTER (WHERE v.outcome <> 'error') AS verdicts, count(*) AS attempts
       FROM judge_verdicts v JOIN traces t USING (trace_id)
       WHERE v.run_id LIKE $prefix AND v.evaluator_id = $key AND v.evaluator_version = $version
         AND v.created_at >= t.ingested_at
       GROUP BY v.trace_id),
     members AS (
       SELECT t.trace_id, ${unit} AS unit, t.ingested_at,
         (s.trace_id IS NULL OR (s.verdicts = 0 AND s.attempts < $attempts)) AS open
       FROM traces t LEFT JOIN settled s USING (trace_id)
       WHERE ${inSampleSql(unit)}),
     units AS (
       SELECT unit, max(ingested_at) AS last FROM members GROUP BY unit
       HAVING epoch_ms(max(ingested_at)) <= $quiet AND bool_or(open))
     SELECT m.trace_id, m.unit FROM members m JOIN units u USING (unit)
     WHERE ${selection.scope === "thread" ? "true" : "m.open"}
     ORDER BY u.last, u.unit, m.trace_id`,
    {
      prefix: `${ONLINE_RUN_PREFIX}%`,
      key: selection.evaluatorId,
      version: selection.evaluatorVersion,
      attempts: ONLINE_ATTEMPTS,
      points: samplePoints(selection.sample),
      quiet: selection.quietSince.getTime()
    }
  );
  return reader.getRows().map((row) => ({traceId: String(row[0]), thread: String(row[1])}));
}

/** Judge calls an evaluator's online passes made since `since` (any version: the budget is the evaluator's). */
export async function onlineCallsSince(
  connection: DuckDBConnection,
  evaluatorId: string,
  since: Date
): Promise<number> {
  const reader = await connection.runAndReadAll(
    "SELECT coalesce(sum(calls), 0)::BIGINT FROM online_passes WHERE evaluator_id = ? AND epoch_ms(started_at) >= ?",
    [evaluatorId, since.getTime()]
  );
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

export interface OnlinePassRow {
  runId: string;
  evaluatorId: string;
  evaluatorVersion: string;
  startedAt: Date;
  candidates: number;
  judged: number;
  calls: number;
  cached: number;
  errors: number;
  skipped: number;
  costUsd: number | null;
  note: string | null;
}

export async function writeOnlinePass(connection: DuckDBConnection, pass: OnlinePassRow): Promise<void> {
  await connection.run(
    "INSERT INTO online_passes VALUES (?, ?, ?, make_timestamp(?::BIGINT), ?, ?, ?, ?, ?, ?, ?, ?)",
    [
      pass.runId,
      pass.evaluatorId,
      pass.evaluatorVersion,
      BigInt(pass.startedAt.getTime() * 1000),
      pass.candidates,
      pass.judged,
      pass.calls,
      pass.cached,
      pass.errors,
      pass.skipped,
      pass.costUsd,
      pass.note
    ]
  );
}

/** Failing verdicts (latest per trace and evaluator version), for automation rules. */
export async function failingVerdicts(
  connection: DuckDBConnection
): Promise<{traceId: string; evaluatorId: string; evaluatorVersion: string}[]> {
  const reader = await connection.runAndReadAll(
    `SELECT trace_id, evaluator_id, evaluator_version FROM judge_verdicts WHERE outcome <> 'error'
     QUALIFY row_number() OVER (PARTITION BY trace_id, evaluator_id, evaluator_version ORDER BY created_at DESC, run_id DESC) = 1
       AND outcome = 'fail'
     ORDER BY trace_id, evaluator_id`
  );
  return reader
    .getRows()
    .map((r) => ({traceId: String(r[0]), evaluatorId: String(r[1]), evaluatorVersion: String(r[2])}));
}

/** Feedback rows by name (any name when null), with their value and label, for automation rules. */
export async function feedbackRows(
  connection: DuckDBConnection
): Promise<{traceId: string; name: string; value: number | null; label: string | null}[]> {
  const reader = await connection.runAndReadAll(
    "SELECT trace_id, name, value, label FROM feedback ORDER BY trace_id, name"
  );
  return reader.getRows().map((r) => ({
    traceId: String(r[0]),
    name: String(r[1]),
    value: r[2] == null ? null : Number(r[2]),
    label: r[3] == null ? null : String(r[3])
  }));
}
