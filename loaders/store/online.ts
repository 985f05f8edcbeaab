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
 * Traces with no new span since `quietSince`: the last time a trace's row was rebuilt (by an ingest or by spans
 * arriving) is `ingested_at`. The one place that decides completeness, so a received-time column can replace it.
 */
export async function quietTraces(connection: DuckDBConnection, quietSince: Date): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    "SELECT trace_id FROM traces WHERE epoch_ms(ingested_at) <= ? ORDER BY ingested_at, trace_id",
    [quietSince.getTime()]
  );
  return reader.getRows().map((row) => String(row[0]));
}

/**
 * Traces an evaluator version has settled online: a verdict after the last span arrived, or as many errors as it
 * is allowed. A trace rebuilt since its verdict (new spans) is judged again, as the trace it has become.
 */
export async function settledOnline(
  connection: DuckDBConnection,
  evaluatorId: string,
  evaluatorVersion: string
): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    `SELECT v.trace_id FROM judge_verdicts v JOIN traces t USING (trace_id)
     WHERE v.run_id LIKE ? AND v.evaluator_id = ? AND v.evaluator_version = ? AND v.created_at >= t.ingested_at
     GROUP BY v.trace_id
     HAVING count(*) FILTER (WHERE v.outcome <> 'error') > 0 OR count(*) >= ?`,
    [`${ONLINE_RUN_PREFIX}%`, evaluatorId, evaluatorVersion, ONLINE_ATTEMPTS]
  );
  return new Set(reader.getRows().map((row) => String(row[0])));
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
