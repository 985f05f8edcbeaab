/**
 * @module The rows the monitor page is computed from: every trace's times, model, status, latency, tokens and cost;
 * the latest verdict of each evaluator version on each trace; and the ground truth with its failure modes.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {MonitorLabel, MonitorTrace, MonitorVerdict} from "./monitorData.js";
import {truthSql} from "../calibration.js";

export interface MonitorRows {
  traces: MonitorTrace[];
  verdicts: MonitorVerdict[];
  labels: MonitorLabel[];
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function readMonitorRows(connection: DuckDBConnection): Promise<MonitorRows> {
  // `ingested_at` is when the store received the trace: the time a trace without one of its own is placed at.
  const traces = (
    await rows(
      connection,
      `SELECT trace_id, epoch_ms(start_time) AS start_ms, epoch_ms(ingested_at) AS received_ms, model, status,
        latency_ms, total_tokens, cost_usd
      FROM traces`
    )
  ).map((r): MonitorTrace => ({
    traceId: String(r.trace_id),
    startTime: num(r.start_ms),
    receivedAt: num(r.received_ms),
    model: r.model === null ? null : String(r.model),
    status: String(r.status),
    latencyMs: num(r.latency_ms),
    tokens: num(r.total_tokens),
    costUsd: num(r.cost_usd)
  }));
  // A rerun's verdict replaces an earlier one; a verdict is kept over a later failed call on the same trace.
  const verdicts = (
    await rows(
      connection,
      `SELECT evaluator_id, evaluator_version, trace_id, outcome FROM judge_verdicts
      QUALIFY row_number() OVER (
        PARTITION BY evaluator_id, evaluator_version, trace_id ORDER BY outcome = 'error', created_at DESC) = 1`
    )
  ).map((r): MonitorVerdict => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    traceId: String(r.trace_id),
    outcome: r.outcome === "pass" || r.outcome === "fail" ? r.outcome : "error"
  }));
  const labels = (
    await rows(
      connection,
      `SELECT trace_id, pass, failure_mode FROM (${await truthSql(connection)}) WHERE pass IS NOT NULL
      AND trace_id IN (SELECT trace_id FROM traces)`
    )
  ).map((r): MonitorLabel => ({
    traceId: String(r.trace_id),
    pass: Boolean(r.pass),
    failureMode: r.failure_mode === null ? null : String(r.failure_mode)
  }));
  return {traces, verdicts, labels};
}
