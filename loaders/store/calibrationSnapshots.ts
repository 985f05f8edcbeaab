/**
 * @module Label-set versions and calibration snapshots. A label set is the ground truth of one criterion as it is
 * now: its version is a hash of the rows that can count (trace, pass, failure mode), so any new, changed or settled
 * label gives a new version, and the same labels always the same one. A snapshot records one calibration against
 * one label-set version; snapshots are only ever appended.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {CalibrationSnapshotSchema, type CalibrationSnapshot} from "../../src/core/schemas/calibrationSnapshot.js";
import {sha256Hex} from "../formats/hash.js";
import {tableExists} from "./db.js";
import {truthSql} from "./calibration.js";

export interface LabelSet {
  /** `<criterion>@<12 hex digits>` */
  version: string;
  /** Ground-truth rows with a pass or fail (ties waiting for adjudication have none). */
  rows: number;
}

export async function readLabelSet(connection: DuckDBConnection, criterion: string): Promise<LabelSet> {
  const reader = await connection.runAndReadAll(
    `SELECT trace_id, pass, coalesce(lower(failure_mode), '') AS failure_mode FROM (${await truthSql(connection)})
     WHERE criterion = ? AND pass IS NOT NULL ORDER BY trace_id, pass, failure_mode`,
    [criterion]
  );
  const rows = reader
    .getRows()
    .map(([trace, pass, mode]) => `${String(trace)}\t${pass ? "pass" : "fail"}\t${String(mode)}`);
  return {version: `${criterion}@${sha256Hex(rows.join("\n")).slice(0, 12)}`, rows: rows.length};
}

export async function appendSnapshot(connection: DuckDBConnection, s: CalibrationSnapshot): Promise<void> {
  await connection.run(
    "INSERT INTO calibration_snapshots VALUES (?, ?, ?, ?, ?::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [
      s.evaluatorId,
      s.evaluatorVersion,
      s.criterion,
      s.labelSet,
      s.takenAt,
      s.source,
      s.split,
      s.n,
      s.confusion.tp,
      s.confusion.fp,
      s.confusion.fn,
      s.confusion.tn,
      s.mcc,
      s.mccInterval?.[0] ?? null,
      s.mccInterval?.[1] ?? null
    ]
  );
}

/** Oldest first; one evaluator's when `evaluatorId` is given. A store written before snapshots has none. */
export async function readSnapshots(
  connection: DuckDBConnection,
  evaluatorId?: string
): Promise<CalibrationSnapshot[]> {
  if (!(await tableExists(connection, "calibration_snapshots"))) return [];
  const reader = await connection.runAndReadAll(
    `SELECT *, strftime(taken_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at FROM calibration_snapshots
     ${evaluatorId ? "WHERE evaluator_id = ?" : ""} ORDER BY taken_at, evaluator_id, evaluator_version`,
    evaluatorId ? [evaluatorId] : []
  );
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) =>
    CalibrationSnapshotSchema.parse({
      evaluatorId: r.evaluator_id,
      evaluatorVersion: r.evaluator_version,
      criterion: r.criterion,
      labelSet: r.label_set,
      takenAt: r.at,
      source: r.source,
      split: r.split,
      n: r.n,
      confusion: {tp: r.tp, fp: r.fp, fn: r.fn, tn: r.tn},
      mcc: r.mcc ?? null,
      mccInterval: r.mcc_low == null || r.mcc_high == null ? null : [r.mcc_low, r.mcc_high]
    })
  );
}
