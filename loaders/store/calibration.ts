/**
 * @module Judge verdicts aligned with human labels, for calibration reports, the page and exports.
 *
 * Human labels come from the annotation side's `ground_truth` and `human_labels` views when the workspace has
 * them (a workspace without them is treated as having no labels) and from imported judgment sets. A verdict is
 * aligned with the ground truth of the same trace under the evaluator's criterion; per evaluator version and
 * trace the latest non-error verdict counts.
 *
 * A trace whose labels on the criterion include one a person accepted from this evaluator's own draft is not
 * independent evidence about it: it is left out of that evaluator's evidence, population and per-annotator pairs
 * (every other evaluator still counts it), and `readDraftedLeftOut` says how many.
 */
import type {VersionInfo} from "../../src/core/calibration/summary.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {tableExists} from "./db.js";

export interface AlignedRow {
  evaluatorId: string;
  evaluatorVersion: string;
  criterion: string;
  failureMode: string;
  judgeModel: string | null;
  firstSeen: string;
  traceId: string;
  judge: "pass" | "fail";
  human: "pass" | "fail";
  reasoning: string | null;
  explanation: string | null;
  decidedBy: string;
  runId: string;
  datasetVersion: string | null;
}

export interface AnnotatorRow {
  evaluatorId: string;
  evaluatorVersion: string;
  traceId: string;
  annotator: string;
  judge: "pass" | "fail";
  human: "pass" | "fail";
}

/** The ground truth of every source the workspace has, as one SQL relation. */
export async function truthSql(connection: DuckDBConnection): Promise<string> {
  const parts = [
    "SELECT trace_id, criterion, pass, NULL::VARCHAR AS failure_mode, explanation, decided_by FROM imported_ground_truth"
  ];
  if (await tableExists(connection, "ground_truth"))
    parts.unshift("SELECT trace_id, criterion, pass, failure_mode, explanation, decided_by FROM ground_truth");
  return parts.join(" UNION ALL ");
}

async function labelsSql(connection: DuckDBConnection): Promise<string> {
  const parts = [
    "SELECT trace_id, criterion, annotator, pass, NULL::VARCHAR AS failure_mode FROM imported_human_labels"
  ];
  if (await tableExists(connection, "human_labels"))
    parts.unshift("SELECT trace_id, criterion, annotator, pass, failure_mode FROM human_labels");
  return parts.join(" UNION ALL ");
}

/** (evaluator, trace, criterion) where a label was accepted from that evaluator's draft; empty before any such view. */
async function draftedSql(connection: DuckDBConnection): Promise<string> {
  return (await tableExists(connection, "drafted_labels"))
    ? "SELECT DISTINCT evaluator_id, trace_id, criterion FROM drafted_labels"
    : "SELECT NULL::VARCHAR AS evaluator_id, NULL::VARCHAR AS trace_id, NULL::VARCHAR AS criterion WHERE false";
}

/** Keeps a verdict `l` only when no label on its trace and criterion came from its own evaluator's draft. */
const notDrafted = `NOT EXISTS (SELECT 1 FROM drafted d WHERE d.evaluator_id = l.evaluator_id AND d.trace_id = l.trace_id AND d.criterion = l.criterion)`;

/** The latest verdict (not an error) of each evaluator version on each trace. */
const LATEST = `
  SELECT v.*, e.criterion, e.failure_mode, e.first_seen FROM judge_verdicts v
  JOIN evaluator_versions e USING (evaluator_id, evaluator_version)
  WHERE v.outcome IN ('pass', 'fail')
  QUALIFY row_number() OVER (PARTITION BY v.evaluator_id, v.evaluator_version, v.trace_id ORDER BY v.created_at DESC, v.run_id DESC) = 1`;

/**
 * Several evaluators can share a criterion, one per failure mode. A trace that fails the criterion for another
 * named failure mode says nothing about whether this evaluator's failure is there, so it is left out of its
 * calibration; failures with no mode named, or named as the evaluator's, count. (Case-blind, as annotators type.)
 */
const aboutThisMode = (label: string) =>
  `(${label}.pass OR ${label}.failure_mode IS NULL OR lower(${label}.failure_mode) = lower(l.failure_mode))`;

async function alignedSql(connection: DuckDBConnection, drafted = false): Promise<string> {
  return `
    WITH latest AS (${LATEST}), truth AS (${await truthSql(connection)}), drafted AS (${await draftedSql(connection)})
    SELECT l.evaluator_id, l.evaluator_version, l.criterion, l.failure_mode, l.judge_model, strftime(l.first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen,
      l.trace_id, l.outcome AS judge, CASE WHEN t.pass THEN 'pass' ELSE 'fail' END AS human, l.reasoning, t.explanation,
      t.decided_by, l.run_id, l.dataset_version
    FROM latest l JOIN truth t ON t.trace_id = l.trace_id AND t.criterion = l.criterion
    WHERE t.pass IS NOT NULL AND ${aboutThisMode("t")} AND ${drafted ? `NOT ${notDrafted}` : notDrafted}`;
}

/** Per evaluator version, how many labelled traces its calibration left out for holding a label drafted by it. */
export async function readDraftedLeftOut(
  connection: DuckDBConnection,
  evaluatorId?: string
): Promise<{evaluatorId: string; evaluatorVersion: string; traces: number}[]> {
  const reader = await connection.runAndReadAll(
    `SELECT evaluator_id, evaluator_version, count(*)::INTEGER AS traces FROM (${await alignedSql(connection, true)})
     ${evaluatorId ? "WHERE evaluator_id = ?" : ""} GROUP BY ALL ORDER BY ALL`,
    evaluatorId ? [evaluatorId] : []
  );
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    traces: Number(r.traces)
  }));
}

export async function readAligned(connection: DuckDBConnection, evaluatorId?: string): Promise<AlignedRow[]> {
  const reader = await connection.runAndReadAll(
    `SELECT * FROM (${await alignedSql(connection)}) ${evaluatorId ? "WHERE evaluator_id = ?" : ""} ORDER BY evaluator_id, first_seen, evaluator_version, trace_id`,
    evaluatorId ? [evaluatorId] : []
  );
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    criterion: String(r.criterion),
    failureMode: String(r.failure_mode),
    judgeModel: (r.judge_model as string | null) ?? null,
    firstSeen: String(r.first_seen),
    traceId: String(r.trace_id),
    judge: r.judge === "fail" ? "fail" : "pass",
    human: r.human === "fail" ? "fail" : "pass",
    reasoning: (r.reasoning as string | null) ?? null,
    explanation: (r.explanation as string | null) ?? null,
    decidedBy: String(r.decided_by),
    runId: String(r.run_id),
    datasetVersion: (r.dataset_version as string | null) ?? null
  }));
}

/** One verdict against the ground truth as the gate sees its population (see `readPopulation`). */
export interface PopulationRow {
  evaluatorId: string;
  evaluatorVersion: string;
  traceId: string;
  judge: "pass" | "fail";
  human: "pass" | "fail";
}

/**
 * One evaluator's latest verdicts against the ground truth of every labelled trace, where a trace failing the
 * criterion for another named failure mode is not this failure and counts as a pass: the population the gate
 * corrects failure rates on. The evidence (`readAligned`) leaves those traces out instead.
 */
export async function readPopulation(connection: DuckDBConnection, evaluatorId?: string): Promise<PopulationRow[]> {
  const reader = await connection.runAndReadAll(
    `WITH latest AS (${LATEST}), truth AS (${await truthSql(connection)}), drafted AS (${await draftedSql(connection)})
     SELECT l.evaluator_id, l.evaluator_version, l.trace_id, l.outcome AS judge,
       CASE WHEN ${aboutThisMode("t")} AND NOT t.pass THEN 'fail' ELSE 'pass' END AS human
     FROM latest l JOIN truth t ON t.trace_id = l.trace_id AND t.criterion = l.criterion
     WHERE t.pass IS NOT NULL AND ${notDrafted} ${evaluatorId ? "AND l.evaluator_id = ?" : ""} ORDER BY ALL`,
    evaluatorId ? [evaluatorId] : []
  );
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    traceId: String(r.trace_id),
    judge: r.judge === "fail" ? "fail" : "pass",
    human: r.human === "fail" ? "fail" : "pass"
  }));
}

/** Each annotator's own labels against the judge, per evaluator version. */
export async function readAnnotatorPairs(connection: DuckDBConnection): Promise<AnnotatorRow[]> {
  const reader = await connection.runAndReadAll(`
    WITH latest AS (${LATEST}), labels AS (${await labelsSql(connection)}), drafted AS (${await draftedSql(connection)})
    SELECT l.evaluator_id, l.evaluator_version, l.trace_id, h.annotator, l.outcome AS judge, CASE WHEN h.pass THEN 'pass' ELSE 'fail' END AS human
    FROM latest l JOIN labels h ON h.trace_id = l.trace_id AND h.criterion = l.criterion
    WHERE h.pass IS NOT NULL AND ${aboutThisMode("h")} AND ${notDrafted} ORDER BY ALL`);
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    traceId: String(r.trace_id),
    annotator: String(r.annotator),
    judge: r.judge === "fail" ? "fail" : "pass",
    human: r.human === "fail" ? "fail" : "pass"
  }));
}

/**
 * One evaluator version as the page and the report show it. Its `unlabeled` counts are verdicts on workspace
 * traces with no ground truth for its criterion: the unlabeled traffic whose failure rate is corrected. Items of
 * imported sets are not traces and never count.
 */
export type EvaluatorVersionRow = VersionInfo;

export async function readEvaluatorVersions(connection: DuckDBConnection): Promise<EvaluatorVersionRow[]> {
  const reader = await connection.runAndReadAll(`
    WITH latest AS (${LATEST}), truth AS (${await truthSql(connection)}),
    unlabeled AS (
      SELECT l.evaluator_id, l.evaluator_version, count(*) FILTER (WHERE l.outcome = 'fail')::INTEGER AS fail, count(*)::INTEGER AS total
      FROM latest l SEMI JOIN traces p ON p.trace_id = l.trace_id
      ANTI JOIN truth t ON t.trace_id = l.trace_id AND t.criterion = l.criterion GROUP BY ALL),
    errors AS (SELECT evaluator_id, evaluator_version, count(DISTINCT trace_id)::INTEGER AS errors FROM judge_verdicts WHERE outcome = 'error' GROUP BY ALL)
    SELECT e.evaluator_id, e.evaluator_version, e.criterion, e.failure_mode, e.kind, e.judge_model,
      strftime(e.first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen, coalesce(u.fail, 0) AS fail, coalesce(u.total, 0) AS total, coalesce(x.errors, 0) AS errors
    FROM evaluator_versions e LEFT JOIN unlabeled u USING (evaluator_id, evaluator_version) LEFT JOIN errors x USING (evaluator_id, evaluator_version)
    ORDER BY e.evaluator_id, e.first_seen, e.evaluator_version`);
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    criterion: String(r.criterion),
    failureMode: String(r.failure_mode),
    kind: String(r.kind),
    judgeModel: (r.judge_model as string | null) ?? null,
    firstSeen: String(r.first_seen),
    unlabeled: {fail: Number(r.fail), total: Number(r.total)},
    errors: Number(r.errors)
  }));
}

/** Records an evaluator version the first time it produces verdicts. */
export async function registerEvaluatorVersion(
  connection: DuckDBConnection,
  v: {
    evaluatorId: string;
    evaluatorVersion: string;
    criterion: string;
    failureMode: string;
    kind: string;
    judgeModel: string | null;
    spec: unknown;
    firstSeen?: Date;
  }
): Promise<void> {
  const reader = await connection.runAndReadAll(
    "SELECT count(*)::INTEGER FROM evaluator_versions WHERE evaluator_id = ? AND evaluator_version = ?",
    [v.evaluatorId, v.evaluatorVersion]
  );
  if (Number(reader.getRows()[0]?.[0]) > 0) return;
  await connection.run("INSERT INTO evaluator_versions VALUES (?, ?, ?, ?, ?, ?, ?::JSON, ?::TIMESTAMP)", [
    v.evaluatorId,
    v.evaluatorVersion,
    v.criterion,
    v.failureMode,
    v.kind,
    v.judgeModel,
    JSON.stringify(v.spec ?? null),
    (v.firstSeen ?? new Date()).toISOString()
  ]);
}

/**
 * Writes the aligned judge and human labels side by side to `path` as CSV or Parquet with DuckDB's COPY.
 * Returns the number of rows.
 */
/**
 * Writes the aligned judge and human labels, one row a trace and evaluator version. `inSample` (evaluator id → the
 * traces it was learned from) marks those rows `in_sample`: they are in the file for a complete record, but they are
 * never evidence, and a reader computing figures from the file should leave them out as the report does.
 */
export async function exportAligned(
  connection: DuckDBConnection,
  path: string,
  format: "csv" | "parquet",
  evaluatorId?: string,
  inSample: ReadonlyMap<string, ReadonlySet<string>> = new Map()
): Promise<number> {
  const where = evaluatorId ? "WHERE evaluator_id = ?" : "";
  const learned = [...inSample].flatMap(([id, traces]) => [...traces].map((t) => `${id}\u0001${t}`));
  const select = `SELECT evaluator_id, evaluator_version, criterion, trace_id, judge AS judge_outcome, human AS human_outcome,
      CASE WHEN human = 'fail' AND judge = 'fail' THEN 'tp' WHEN human = 'pass' AND judge = 'fail' THEN 'fp'
           WHEN human = 'fail' AND judge = 'pass' THEN 'fn' ELSE 'tn' END AS cell,
      (evaluator_id || chr(1) || trace_id) IN (SELECT unnest(from_json(?::JSON, '["VARCHAR"]'))) AS in_sample,
      reasoning AS judge_reasoning, explanation AS human_explanation, decided_by, judge_model, run_id, dataset_version
    FROM (${await alignedSql(connection)}) ${where} ORDER BY evaluator_id, evaluator_version, trace_id`;
  // As JSON: an empty list has no element type to bind.
  const params = [JSON.stringify(learned), ...(evaluatorId ? [evaluatorId] : [])];
  const options = format === "csv" ? "(FORMAT csv, HEADER true)" : "(FORMAT parquet)";
  const quoted = `'${path.replace(/'/g, "''")}'`;
  await connection.run(`COPY (${select}) TO ${quoted} ${options}`, params);
  const count = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM (${select})`, params);
  return Number(count.getRows()[0]?.[0] ?? 0);
}
