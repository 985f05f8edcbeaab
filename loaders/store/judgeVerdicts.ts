/**
 * @module Judge verdicts, the judge-call cache and judge runs in the store. Rows are written in batches inside
 * one connection that the judge run holds for its whole length.
 */
import type {DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import {insertRows} from "./insertRows.js";

export interface VerdictRow {
  runId: string;
  evaluatorId: string;
  evaluatorVersion: string;
  traceId: string;
  outcome: "pass" | "fail" | "error";
  reasoning: string | null;
  error: string | null;
  judgeModel: string | null;
  promptHash: string | null;
  datasetVersion: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  createdAt: Date;
}

export interface CacheEntry {
  key: string;
  evaluatorVersion: string;
  judgeModel: string;
  traceHash: string;
  outcome: "pass" | "fail";
  reasoning: string | null;
  promptHash: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

export interface RunRow {
  runId: string;
  evaluatorId: string;
  evaluatorVersion: string;
  judgeModel: string | null;
  datasetVersion: string | null;
  status: "running" | "done" | "interrupted";
  total: number;
  calls: number;
  errors: number;
  costUsd: number | null;
}

const big = (n: number | null): DuckDBValue => (n === null ? null : BigInt(Math.round(n)));

export async function writeVerdicts(connection: DuckDBConnection, rows: readonly VerdictRow[]): Promise<void> {
  const cast: (string | undefined)[] = [];
  cast[13] = "TIMESTAMP";
  await insertRows(
    connection,
    "judge_verdicts",
    14,
    rows.map((r) => [
      r.runId,
      r.evaluatorId,
      r.evaluatorVersion,
      r.traceId,
      r.outcome,
      r.reasoning,
      r.error,
      r.judgeModel,
      r.promptHash,
      r.datasetVersion,
      big(r.inputTokens),
      big(r.outputTokens),
      r.costUsd,
      r.createdAt.toISOString()
    ]),
    cast
  );
}

export async function writeCache(connection: DuckDBConnection, entries: readonly CacheEntry[]): Promise<void> {
  await insertRows(
    connection,
    "judge_cache",
    11,
    entries.map((e) => [
      e.key,
      e.evaluatorVersion,
      e.judgeModel,
      e.traceHash,
      e.outcome,
      e.reasoning,
      e.promptHash,
      big(e.inputTokens),
      big(e.outputTokens),
      e.costUsd,
      new Date().toISOString()
    ]),
    [, , , , , , , , , , "TIMESTAMP"]
  );
}

/** Cached answers for `keys`, which are hex digests (so a comma-joined list is unambiguous). */
export async function readCache(
  connection: DuckDBConnection,
  keys: readonly string[]
): Promise<Map<string, CacheEntry>> {
  const out = new Map<string, CacheEntry>();
  if (!keys.length) return out;
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    const reader = await connection.runAndReadAll(
      `SELECT cache_key, evaluator_version, judge_model, trace_hash, outcome, reasoning, prompt_hash, input_tokens, output_tokens, cost_usd
       FROM judge_cache WHERE cache_key IN (SELECT unnest(string_split(?, ',')))`,
      [batch.join(",")]
    );
    for (const row of reader.getRowObjectsJS() as Record<string, unknown>[]) {
      out.set(String(row.cache_key), {
        key: String(row.cache_key),
        evaluatorVersion: String(row.evaluator_version),
        judgeModel: String(row.judge_model),
        traceHash: String(row.trace_hash),
        outcome: row.outcome === "fail" ? "fail" : "pass",
        reasoning: (row.reasoning as string | null) ?? null,
        promptHash: (row.prompt_hash as string | null) ?? null,
        inputTokens: row.input_tokens == null ? null : Number(row.input_tokens),
        outputTokens: row.output_tokens == null ? null : Number(row.output_tokens),
        costUsd: (row.cost_usd as number | null) ?? null
      });
    }
  }
  return out;
}

/** Traces that already have a verdict (not an error) in `runId`: what a resumed run skips. */
export async function finishedTraces(connection: DuckDBConnection, runId: string): Promise<Set<string>> {
  const reader = await connection.runAndReadAll(
    "SELECT DISTINCT trace_id FROM judge_verdicts WHERE run_id = ? AND outcome <> 'error'",
    [runId]
  );
  return new Set(reader.getRows().map((row) => String(row[0])));
}

/** Drops the error rows of a run before it is resumed, so each trace ends with one row per run. */
export async function clearRunErrors(connection: DuckDBConnection, runId: string): Promise<void> {
  await connection.run("DELETE FROM judge_verdicts WHERE run_id = ? AND outcome = 'error'", [runId]);
}

export async function readRun(connection: DuckDBConnection, runId: string): Promise<RunRow | null> {
  const reader = await connection.runAndReadAll(
    `SELECT run_id, evaluator_id, evaluator_version, judge_model, dataset_version, status, total, calls, errors, cost_usd
     FROM judge_runs WHERE run_id = ?`,
    [runId]
  );
  const row = (reader.getRowObjectsJS() as Record<string, unknown>[])[0];
  if (!row) return null;
  return {
    runId: String(row.run_id),
    evaluatorId: String(row.evaluator_id),
    evaluatorVersion: String(row.evaluator_version),
    judgeModel: (row.judge_model as string | null) ?? null,
    datasetVersion: (row.dataset_version as string | null) ?? null,
    status: row.status as RunRow["status"],
    total: Number(row.total),
    calls: Number(row.calls),
    errors: Number(row.errors),
    costUsd: (row.cost_usd as number | null) ?? null
  };
}

/** Creates or updates the run's row; calls, errors and cost add up over resumptions. */
export async function saveRun(connection: DuckDBConnection, run: RunRow, finished: boolean): Promise<void> {
  const existing = await readRun(connection, run.runId);
  if (!existing) {
    await connection.run(
      "INSERT INTO judge_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, CASE WHEN ? THEN now()::TIMESTAMP END)",
      [
        run.runId,
        run.evaluatorId,
        run.evaluatorVersion,
        run.judgeModel,
        run.datasetVersion,
        run.status,
        run.total,
        run.calls,
        run.errors,
        run.costUsd,
        finished
      ]
    );
    return;
  }
  await connection.run(
    `UPDATE judge_runs SET status = ?, total = ?, calls = ?, errors = ?, cost_usd = ?,
       finished_at = CASE WHEN ? THEN now()::TIMESTAMP ELSE finished_at END WHERE run_id = ?`,
    [run.status, run.total, run.calls, run.errors, run.costUsd, finished, run.runId]
  );
}

/** The judge runner's store on one open connection. */
export function duckdbRunStore(connection: DuckDBConnection) {
  return {
    cached: (keys: readonly string[]) => readCache(connection, keys),
    finished: (runId: string) => finishedTraces(connection, runId),
    async write(rows: readonly VerdictRow[], cache: readonly CacheEntry[]) {
      if (rows.length) await writeVerdicts(connection, rows);
      if (cache.length) await writeCache(connection, cache);
    }
  };
}
