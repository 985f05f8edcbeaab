/**
 * @module The views other parts of Plumbline read human judgement from: `human_labels` (every current label of
 * every annotator) and `ground_truth` (one decision per trace and criterion), both derived from the mirrored
 * annotation log.
 *
 * Ground truth comes from expert sources only (reviewers, QA review sheets, support tickets): end-user thumbs
 * and automated evaluators are signals, not truth. An adjudication wins; otherwise each annotator's verdict on
 * a criterion is fail when any of their labels on it fails (a failing text range fails the trace), and the
 * verdicts are combined as single, unanimous or a strict majority. A tie has no ground truth until adjudicated.
 *
 * `trace_feedback` is what end users said about each trace, as the explorer shows it: the feedback the trace's own
 * file carried, and the end-user labels (sent to `POST /api/feedback` or imported with `plumbline feedback import
 * thumbs`). A label joins its trace by id whenever the trace arrives, before or after it. Evaluators read the
 * trace's own `feedback_count` only, so no evaluator ever sees a human label.
 */
import type {DuckDBConnection} from "@duckdb/node-api";

// Each label's latest row. Found by its seq first, from two narrow columns, and only then read whole: a window over
// whole rows would sort every version of every explanation the log ever held (twice as slow, four times the memory).
const CURRENT = `
  SELECT * FROM annotation_events
  WHERE seq IN (SELECT max(seq) FROM annotation_events GROUP BY annotation_id)`;

export async function createAnnotationViews(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE OR REPLACE VIEW human_labels AS
    WITH current AS (${CURRENT})
    SELECT trace_id, span_id, criterion, annotator, pass, score, label, failure_mode, explanation, source, annotated_at,
      json_extract_string(body, '$.severity') AS severity, json_extract_string(body, '$.acceptedFrom.evaluatorId') AS drafted_by
    FROM current WHERE op <> 'delete' AND source <> 'adjudication'`);
  // Labels a person accepted from an evaluator's draft: evidence about the trace, but not independent of that
  // evaluator, so its calibration leaves the trace out (loaders/store/calibration.ts).
  await connection.run(`CREATE OR REPLACE VIEW drafted_labels AS
    WITH current AS (${CURRENT})
    SELECT trace_id, criterion, annotator, json_extract_string(body, '$.acceptedFrom.evaluatorId') AS evaluator_id,
      json_extract_string(body, '$.acceptedFrom.evaluatorVersion') AS evaluator_version, json_extract_string(body, '$.acceptedFrom.kind') AS draft_kind
    FROM current WHERE op <> 'delete' AND json_extract_string(body, '$.acceptedFrom.evaluatorId') IS NOT NULL`);
  await connection.run(`CREATE OR REPLACE VIEW trace_feedback AS
    SELECT trace_id, span_id, name, value, label, comment, source FROM feedback
    UNION ALL
    SELECT trace_id, span_id, criterion AS name, score AS value,
      coalesce(label, CASE WHEN pass THEN 'pass' WHEN NOT pass THEN 'fail' END) AS label, explanation AS comment, source
    FROM human_labels WHERE source = 'end_user'`);
  await connection.run(`CREATE OR REPLACE VIEW ground_truth AS
    WITH current AS (${CURRENT}),
    adjudicated AS (
      SELECT trace_id, criterion, pass, failure_mode, explanation
      FROM current WHERE op <> 'delete' AND source = 'adjudication' AND pass IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY trace_id, criterion ORDER BY seq DESC) = 1),
    verdicts AS (
      SELECT trace_id, criterion, annotator, bool_and(pass) AS pass,
        arg_max(failure_mode, seq) FILTER (WHERE NOT pass) AS failure_mode,
        arg_max(explanation, seq) AS explanation
      FROM current
      WHERE op <> 'delete' AND pass IS NOT NULL AND source IN ('reviewer', 'qa_review', 'support_ticket')
      GROUP BY ALL),
    votes AS (
      SELECT trace_id, criterion, count(*) AS n, count(*) FILTER (WHERE pass) AS passes,
        count(*) FILTER (WHERE NOT pass) AS fails,
        mode(failure_mode) FILTER (WHERE NOT pass) AS failure_mode,
        any_value(explanation) FILTER (WHERE NOT pass AND explanation IS NOT NULL) AS fail_explanation,
        any_value(explanation) FILTER (WHERE pass AND explanation IS NOT NULL) AS pass_explanation
      FROM verdicts GROUP BY ALL)
    SELECT trace_id, criterion, pass, failure_mode, explanation, 'adjudicated' AS decided_by FROM adjudicated
    UNION ALL
    SELECT v.trace_id, v.criterion, v.passes > v.fails AS pass,
      CASE WHEN v.passes > v.fails THEN NULL ELSE v.failure_mode END AS failure_mode,
      CASE WHEN v.passes > v.fails THEN v.pass_explanation ELSE v.fail_explanation END AS explanation,
      CASE WHEN v.n = 1 THEN 'single' WHEN v.passes = 0 OR v.fails = 0 THEN 'unanimous' ELSE 'majority' END AS decided_by
    FROM votes v
    WHERE v.passes <> v.fails
      AND NOT EXISTS (SELECT 1 FROM adjudicated a WHERE a.trace_id = v.trace_id AND a.criterion = v.criterion)`);
}
