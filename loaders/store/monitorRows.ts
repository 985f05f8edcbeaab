/**
 * @module What the monitor page is computed from, aggregated by the store: per time bucket, each evaluator
 * version's latest verdicts, each model's volume, errors, latency percentiles, tokens and cost, and the ground truth
 * with its failure modes. DuckDB does the grouping, so 200,000 traces cross into JavaScript as a few hundred bucket
 * rows, not as 200,000 objects.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {BucketUnit} from "../../src/core/monitor/buckets.js";
import {
  monitorUnit,
  type EvaluatorBucket,
  type FailureModeBucket,
  type LabelledBucket,
  type ModelBucket,
  type MonitorBuckets,
  type MonitorExtent
} from "../../src/core/monitor/monitorData.js";
import {truthSql} from "./calibration.js";

export interface MonitorRows extends MonitorBuckets {
  extent: MonitorExtent;
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/**
 * The time a trace is placed at (epoch ms): its own start time, else the time the store received it
 * (`ingested_at`). The one place that choice is made, so the page's note on how traces were placed and every chart
 * agree.
 */
const TRACE_TIME = "coalesce(epoch_ms(start_time), epoch_ms(ingested_at))";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONDAY = 4 * DAY;

/** The start of the bucket holding the epoch-ms expression `time`: bucketStart of src/core/monitor/buckets.ts. */
export function bucketStartSql(time: string, unit: BucketUnit): string {
  const floor = (width: number, offset = 0) =>
    `(floor((${time} - ${offset}) / ${width})::BIGINT * ${width} + ${offset})`;
  switch (unit) {
    case "hour":
      return floor(HOUR);
    case "day":
      return floor(DAY);
    case "week":
      return floor(WEEK, MONDAY);
    case "month":
      return `epoch_ms(date_trunc('month', epoch_ms((${time})::BIGINT)))`;
  }
}

/** How many traces there are, which time placed them, and the first and last time. */
export async function readMonitorExtent(connection: DuckDBConnection): Promise<MonitorExtent> {
  const [row] = await rows(
    connection,
    `SELECT count(*) AS traces, count(start_time) AS by_start,
      count(*) FILTER (WHERE start_time IS NULL AND ingested_at IS NOT NULL) AS by_received,
      min(${TRACE_TIME}) AS first, max(${TRACE_TIME}) AS last
    FROM traces`
  );
  const traces = Number(row!.traces);
  const start = Number(row!.by_start);
  const received = Number(row!.by_received);
  return {
    traces,
    timeBasis: {start, received, none: traces - start - received},
    first: num(row!.first),
    last: num(row!.last)
  };
}

/** The extent and, bucketed by the unit it calls for, every series' rows. */
export async function readMonitorRows(connection: DuckDBConnection): Promise<MonitorRows> {
  const extent = await readMonitorExtent(connection);
  const unit = monitorUnit(extent);
  if (unit === null) return {extent, evaluators: [], models: [], labelled: [], failureModes: []};
  return {extent, ...(await readMonitorBuckets(connection, unit))};
}

export async function readMonitorBuckets(connection: DuckDBConnection, unit: BucketUnit): Promise<MonitorBuckets> {
  // Every dated trace with its bucket; the queries join to it, so undated traces and verdicts on traces the store
  // no longer holds are left out alike. A CTE, not a temporary table: the pages' read connection writes nothing.
  const dated = `dated AS (
    SELECT trace_id, ${bucketStartSql(TRACE_TIME, unit)} AS bucket, model, status, latency_ms, total_tokens, cost_usd
    FROM traces WHERE ${TRACE_TIME} IS NOT NULL)`;
  // A rerun's verdict replaces an earlier one; a verdict is kept over a later failed call on the same trace.
  const evaluators = (
    await rows(
      connection,
      `WITH ${dated}, latest AS (
          SELECT evaluator_id, evaluator_version, trace_id, outcome FROM judge_verdicts
          QUALIFY row_number() OVER (
            PARTITION BY evaluator_id, evaluator_version, trace_id ORDER BY outcome = 'error', created_at DESC) = 1)
        SELECT evaluator_id, evaluator_version, bucket,
          count(*) FILTER (WHERE outcome = 'pass') AS pass, count(*) FILTER (WHERE outcome = 'fail') AS fail,
          count(*) FILTER (WHERE outcome NOT IN ('pass', 'fail')) AS errors
        FROM latest JOIN dated USING (trace_id)
        GROUP BY ALL`
    )
  ).map((r): EvaluatorBucket => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    bucket: Number(r.bucket),
    pass: Number(r.pass),
    fail: Number(r.fail),
    errors: Number(r.errors)
  }));
  // Percentiles interpolate between the two nearest ranks (quantile_cont), as src/core/monitor/percentile.ts does.
  const models = (
    await rows(
      connection,
      `WITH ${dated} SELECT model, bucket, count(*) AS traces, count(*) FILTER (WHERE status = 'error') AS errors,
          quantile_cont(latency_ms, [0.5, 0.95, 0.99]) FILTER (WHERE isfinite(latency_ms)) AS latency,
          sum(total_tokens)::DOUBLE AS tokens,
          sum(cost_usd) FILTER (WHERE isfinite(cost_usd)) AS cost_usd,
          count(cost_usd) FILTER (WHERE isfinite(cost_usd)) AS costed
        FROM dated GROUP BY ALL ORDER BY model, bucket`
    )
  ).map((r): ModelBucket => {
    const latency = r.latency as (number | null)[] | null;
    return {
      model: text(r.model),
      bucket: Number(r.bucket),
      traces: Number(r.traces),
      errors: Number(r.errors),
      p50: num(latency?.[0]),
      p95: num(latency?.[1]),
      p99: num(latency?.[2]),
      tokens: num(r.tokens),
      costUsd: num(r.cost_usd),
      costed: Number(r.costed)
    };
  });
  // Ground truth may hold several decisions on a trace: each trace counts once per bucket and failure mode.
  const truth = `${dated}, truth AS (
      SELECT trace_id, bucket, pass, failure_mode FROM (${await truthSql(connection)}) JOIN dated USING (trace_id)
      WHERE pass IS NOT NULL)`;
  const labelled = (
    await rows(
      connection,
      `WITH ${truth} SELECT bucket, count(DISTINCT trace_id) AS labelled FROM truth GROUP BY bucket`
    )
  ).map((r): LabelledBucket => ({bucket: Number(r.bucket), labelled: Number(r.labelled)}));
  const failureModes = (
    await rows(
      connection,
      `WITH ${truth} SELECT failure_mode, bucket, count(DISTINCT trace_id) AS failing FROM truth
        WHERE NOT pass AND failure_mode IS NOT NULL GROUP BY ALL`
    )
  ).map((r): FailureModeBucket => ({
    failureMode: String(r.failure_mode),
    bucket: Number(r.bucket),
    failing: Number(r.failing)
  }));
  return {evaluators, models, labelled, failureModes};
}
