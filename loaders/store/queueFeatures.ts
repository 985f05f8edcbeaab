/**
 * @module The per-trace facts a queue is prioritized by (`TraceFeatures` in src/core/queue/signals.ts), in one
 * query over the store.
 *
 * Judge verdicts (`judge_verdicts`) and clusters (`clusters`, `trace_clusters`) are written by other parts of
 * Plumbline; when a workspace has no such table yet, the signals that need it are zero, never an error.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {tableExists} from "./db.js";
import {escapeRegex} from "../../src/core/evaluator/rule.js";
import {HEDGING_MARKERS, TraceFeaturesSchema, type TraceFeatures} from "../../src/core/queue/signals.js";

export async function readTraceFeatures(connection: DuckDBConnection): Promise<TraceFeatures[]> {
  const judged = await tableExists(connection, "judge_verdicts");
  const clustered = (await tableExists(connection, "clusters")) && (await tableExists(connection, "trace_clusters"));
  // A verdict is compared with the ground truth of its evaluator's criterion (`overall` when the evaluator's
  // version was never registered), so a judge of tone does not disagree with a person failing the whole trace.
  const registered = judged && (await tableExists(connection, "evaluator_versions"));
  const verdicts = !judged
    ? "SELECT NULL::VARCHAR AS trace_id, NULL::VARCHAR AS outcome, NULL::VARCHAR AS criterion WHERE false"
    : registered
      ? `SELECT v.trace_id, v.outcome, coalesce(e.criterion, 'overall') AS criterion FROM judge_verdicts v
         LEFT JOIN (SELECT DISTINCT evaluator_id, evaluator_version, criterion FROM evaluator_versions) e
           USING (evaluator_id, evaluator_version)
         WHERE v.outcome IN ('pass', 'fail')`
      : "SELECT trace_id, outcome, 'overall' AS criterion FROM judge_verdicts WHERE outcome IN ('pass', 'fail')";
  const clusters = clustered
    ? `SELECT tc.trace_id, tc.cluster_id, c.size FROM trace_clusters tc JOIN clusters c USING (cluster_id)
       WHERE tc.kind = 'signature' QUALIFY row_number() OVER (PARTITION BY tc.trace_id ORDER BY c.size DESC) = 1`
    : "SELECT NULL::VARCHAR AS trace_id, NULL::VARCHAR AS cluster_id, NULL::INTEGER AS size WHERE false";
  const hedging = `(${HEDGING_MARKERS.map(escapeRegex).join("|")})`;
  const sql = `
    WITH labels AS (SELECT * FROM human_labels),
    negative AS (
      SELECT trace_id, count(*) AS n FROM (
        SELECT trace_id FROM feedback
        WHERE lower(coalesce(label, '')) IN ('down', 'thumbs_down', 'thumbsdown', 'negative', 'bad', 'dislike')
           OR (lower(name) LIKE '%thumb%' AND value IS NOT NULL AND value <= 0)
        UNION ALL SELECT trace_id FROM labels WHERE source = 'end_user' AND pass = false)
      GROUP BY 1),
    escalations AS (
      SELECT trace_id, count(*) AS n FROM (
        SELECT trace_id FROM tool_calls WHERE regexp_matches(lower(name), 'escalat|transfer_to_human|handoff_to_human')
        UNION ALL SELECT trace_id FROM feedback WHERE regexp_matches(lower(coalesce(label, '') || ' ' || name), 'escalat')
        UNION ALL SELECT trace_id FROM labels WHERE source = 'support_ticket')
      GROUP BY 1),
    retries AS (
      SELECT trace_id, count(*) - count(DISTINCT name || chr(0) || coalesce(arguments, '')) AS n FROM tool_calls GROUP BY 1),
    hedges AS (
      SELECT trace_id, count(*) AS n FROM messages
      WHERE role = 'assistant' AND content IS NOT NULL AND regexp_matches(lower(content), $hedging)
      GROUP BY 1),
    requests AS (
      SELECT trace_id, coalesce(user_id, session_id) AS who, first_user_message AS request FROM traces
      WHERE coalesce(user_id, session_id) IS NOT NULL AND first_user_message IS NOT NULL),
    resubmitted AS (
      SELECT trace_id, count(*) OVER (PARTITION BY who, request) - 1 AS n FROM requests),
    truth AS (SELECT trace_id, criterion, pass FROM ground_truth),
    disagreements AS (
      SELECT v.trace_id, count(*) AS n FROM (${verdicts}) v JOIN truth t USING (trace_id, criterion)
      WHERE (v.outcome = 'fail') = t.pass GROUP BY 1),
    cluster AS (${clusters}),
    evaluated AS (
      SELECT DISTINCT c.cluster_id FROM cluster c JOIN (${verdicts}) v USING (trace_id))
    SELECT t.trace_id, t.model, t.status, t.format, t.name, t.latency_ms, t.total_tokens::DOUBLE, t.cost_usd,
      t.message_count, t.tool_error_count, coalesce(r.n, 0), coalesce(neg.n, 0), coalesce(e.n, 0), coalesce(rs.n, 0),
      coalesce(h.n, 0), coalesce(d.n, 0), c.cluster_id, c.size,
      CASE WHEN c.cluster_id IS NULL THEN NULL ELSE ev.cluster_id IS NOT NULL END
    FROM traces t
    LEFT JOIN retries r USING (trace_id) LEFT JOIN negative neg USING (trace_id) LEFT JOIN escalations e USING (trace_id)
    LEFT JOIN resubmitted rs USING (trace_id) LEFT JOIN hedges h USING (trace_id) LEFT JOIN disagreements d USING (trace_id)
    LEFT JOIN cluster c USING (trace_id) LEFT JOIN evaluated ev ON ev.cluster_id = c.cluster_id
    ORDER BY t.trace_id`;
  const rows = (await connection.runAndReadAll(sql, {hedging})).getRows();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) =>
    TraceFeaturesSchema.parse({
      traceId: r[0],
      model: r[1] ?? null,
      status: r[2] ?? null,
      format: r[3] ?? null,
      name: r[4] ?? null,
      latencyMs: num(r[5]),
      totalTokens: num(r[6]),
      costUsd: num(r[7]),
      messageCount: Number(r[8]),
      toolErrors: Number(r[9]),
      retries: Number(r[10]),
      negativeFeedback: Number(r[11]),
      escalations: Number(r[12]),
      resubmissions: Number(r[13]),
      hedges: Number(r[14]),
      judgeDisagreements: Number(r[15]),
      clusterId: r[16] ?? null,
      clusterSize: num(r[17]),
      clusterEvaluated: r[18] ?? null
    })
  );
}
