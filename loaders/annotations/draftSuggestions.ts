/**
 * @module The draft labels a workspace holds for the Annotate page: the latest verdict of every calibrated judge
 * version on every trace (calibrated meaning a calibration was recorded for it, by `generate` or `calibrate
 * update`), and the drafted failure descriptions.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {
  failureDraftSuggestions,
  judgeSuggestions,
  type DraftVerdict
} from "../../src/core/annotations/draftSuggestions.js";
import type {DraftSuggestion} from "../../src/core/schemas/draft.js";
import {readSnapshots} from "../store/calibrationSnapshots.js";
import {tableExists} from "../store/db.js";
import {readFailureDrafts} from "../store/failureDrafts.js";

async function latestVerdicts(connection: DuckDBConnection): Promise<DraftVerdict[]> {
  if (!(await tableExists(connection, "judge_verdicts")) || !(await tableExists(connection, "calibration_snapshots")))
    return [];
  // Only versions with a snapshot: the rest would be read only to be dropped.
  const reader = await connection.runAndReadAll(`
    SELECT v.evaluator_id, v.evaluator_version, e.criterion, e.failure_mode, v.trace_id, v.outcome, v.reasoning, v.run_id
    FROM judge_verdicts v JOIN evaluator_versions e USING (evaluator_id, evaluator_version)
    WHERE v.outcome IN ('pass', 'fail')
      AND (v.evaluator_id, v.evaluator_version) IN (SELECT (evaluator_id, evaluator_version) FROM calibration_snapshots)
    QUALIFY row_number() OVER (PARTITION BY v.evaluator_id, v.evaluator_version, v.trace_id ORDER BY v.created_at DESC, v.run_id DESC) = 1
    ORDER BY v.trace_id, v.evaluator_id, v.evaluator_version`);
  return (reader.getRowObjectsJS() as Record<string, unknown>[]).map((r) => ({
    evaluatorId: String(r.evaluator_id),
    evaluatorVersion: String(r.evaluator_version),
    criterion: String(r.criterion),
    failureMode: String(r.failure_mode),
    traceId: String(r.trace_id),
    outcome: r.outcome === "fail" ? "fail" : "pass",
    reasoning: (r.reasoning as string | null) ?? null,
    runId: String(r.run_id)
  }));
}

export async function readDraftSuggestions(connection: DuckDBConnection): Promise<DraftSuggestion[]> {
  return [
    ...judgeSuggestions(await latestVerdicts(connection), await readSnapshots(connection)),
    ...failureDraftSuggestions(await readFailureDrafts(connection))
  ];
}
