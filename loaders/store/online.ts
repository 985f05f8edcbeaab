/**
 * @module What online evaluation reads and writes in the store: the traces that are complete (quiet), those an
 * evaluator version has already judged online, the calls its passes spent, and a pass's record.
 */
import type {DuckDBConnection} from "@duckdb/node-api";

/** Run ids of online passes start with this, so their verdicts can be told from batch runs'. */
export const ONLINE_RUN_PREFIX = "online-";

/** An evaluator version's errors are retried by later passes this many times; then the trace is left alone. */
export const ONLINE_ATTEMPTS = 3;

/**
 * Traces due for an evaluator version online: complete, and not yet settled by it. Complete means no new span since
 * `quietSince`, read from `ingested_at`, the last time the trace's row was rebuilt (by an ingest or by spans
 * arriving): the one condition to change should a received-time column replace it. Settled means a verdict since
 * the trace was last rebuilt, or as many errors as it is allowed; a trace rebuilt since its verdict (new spans) is
 * judged again, as the trace it has become. The anti-join runs in the store, so a pass reads only the ids it may
 * judge, not every trace's.
 */
export async function dueTraces(
  connection: DuckDBConnection,
  quietSince: Date,
  evaluatorId: string,
  evaluatorVersion: string
): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `WITH settled AS (
       SELECT v.trace_id, count(*) FILTER (WHERE v.outcome <> 'error') AS verdicts, count(*) AS attempts
       FROM judge_verdicts v JOIN traces t USING (trace_id)
       WHERE v.run_id LIKE ? AND v.evaluator_id = ? AND v.evaluator_version = ? AND v.created_at >= t.ingested_at
       GROUP BY v.trace_id)
     SELECT t.trace_id FROM traces t LEFT JOIN settled s USING (trace_id)
     WHERE epoch_ms(t.ingested_at) <= ? AND (s.trace_id IS NULL OR (s.verdicts = 0 AND s.attempts < ?))
     ORDER BY t.ingested_at, t.trace_id`,
    [`${ONLINE_RUN_PREFIX}%`, evaluatorId, evaluatorVersion, quietSince.getTime(), ONLINE_ATTEMPTS]
  );
  return reader.getRows().map((row) => String(row[0]));
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
