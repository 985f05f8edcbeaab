/**
 * @module What promoting traces into a dataset reads from the store: the traces a cluster, a failure mode or a
 * list of ids names; each trace's ground truth, annotators' corrected output and the signals that make a trace
 * worth protecting (its topics, final-answer length, tool errors, status, unsettled ties).
 */
import {listValue, type DuckDBConnection, type DuckDBValue} from "@duckdb/node-api";
import type {Candidate, TruthRow} from "../../src/core/datasets/select.js";
import {tableExists} from "./db.js";

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = []
): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
}

const ids = (traceIds: readonly string[]) => listValue([...new Set(traceIds)]);

/** Orders trace ids as the store does (start time, then id), keeping only those it holds. */
export async function orderTraces(connection: DuckDBConnection, traceIds: readonly string[]): Promise<string[]> {
  if (!traceIds.length) return [];
  return (
    await rows(
      connection,
      "SELECT trace_id FROM traces WHERE trace_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY start_time NULLS LAST, trace_id",
      [ids(traceIds)]
    )
  ).map((r) => String(r.trace_id));
}

/** Members of a cluster of the latest clustering run; null when there is no such cluster. */
export async function readClusterTraces(
  connection: DuckDBConnection,
  clusterId: string
): Promise<{name: string; traceIds: string[]} | null> {
  const [cluster] = await rows(connection, "SELECT name FROM clusters WHERE cluster_id = ?", [clusterId]);
  if (!cluster) return null;
  const members = await rows(
    connection,
    `SELECT m.trace_id FROM trace_clusters m JOIN traces t USING (trace_id)
    WHERE m.cluster_id = ? ORDER BY t.start_time NULLS LAST, m.trace_id`,
    [clusterId]
  );
  return {name: String(cluster.name), traceIds: members.map((r) => String(r.trace_id))};
}

/** Traces that a human label names with the failure mode, or that belong to clusters linked to it. */
export async function readFailureModeTraces(
  connection: DuckDBConnection,
  mode: string,
  clusterIds: readonly string[]
): Promise<string[]> {
  const labelled = await rows(connection, "SELECT DISTINCT trace_id FROM human_labels WHERE trim(failure_mode) = ?", [
    mode
  ]);
  const imported = await rows(
    connection,
    "SELECT DISTINCT trace_id FROM imported_ground_truth WHERE failure_mode = ?",
    [mode]
  );
  const clustered = clusterIds.length
    ? await rows(
        connection,
        "SELECT DISTINCT trace_id FROM trace_clusters WHERE cluster_id IN (SELECT unnest(?::VARCHAR[]))",
        [listValue([...clusterIds])]
      )
    : [];
  return orderTraces(
    connection,
    [...labelled, ...imported, ...clustered].map((r) => String(r.trace_id))
  );
}

/** Ground truth from annotation and from imported judgment sets, per trace. */
async function readTruth(connection: DuckDBConnection, traceIds: readonly string[]): Promise<Map<string, TruthRow[]>> {
  const out = new Map<string, TruthRow[]>();
  const result = await rows(
    connection,
    `SELECT trace_id, criterion, pass, failure_mode, explanation, decided_by FROM (
      SELECT trace_id, criterion, pass, failure_mode, explanation, decided_by FROM ground_truth
      UNION ALL SELECT trace_id, criterion, pass, failure_mode, explanation, decided_by FROM imported_ground_truth)
    WHERE trace_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY trace_id, criterion`,
    [ids(traceIds)]
  );
  for (const r of result) {
    const id = String(r.trace_id);
    const list = out.get(id) ?? [];
    list.push({
      criterion: String(r.criterion),
      pass: Boolean(r.pass),
      failureMode: (r.failure_mode as string | null) ?? null,
      explanation: (r.explanation as string | null) ?? null,
      decidedBy: String(r.decided_by)
    });
    out.set(id, list);
  }
  return out;
}

/** Traces with expert labels on a criterion that have no ground truth there: the annotators tied. */
async function readTies(connection: DuckDBConnection, traceIds: readonly string[]): Promise<Set<string>> {
  const result = await rows(
    connection,
    `SELECT DISTINCT h.trace_id FROM human_labels h
    WHERE h.trace_id IN (SELECT unnest(?::VARCHAR[])) AND h.pass IS NOT NULL AND h.source IN ('reviewer', 'qa_review', 'support_ticket')
      AND NOT EXISTS (SELECT 1 FROM ground_truth g WHERE g.trace_id = h.trace_id AND g.criterion = h.criterion)`,
    [ids(traceIds)]
  );
  return new Set(result.map((r) => String(r.trace_id)));
}

/** The last assistant message with text, per trace: its length in characters. */
const FINAL_ANSWER = `SELECT trace_id, arg_max(length(content), turn::BIGINT * 1000000 + idx) AS chars
  FROM messages WHERE role = 'assistant' AND content IS NOT NULL AND content <> '' GROUP BY trace_id`;

/** The `p` quantile of final-answer length over every trace of the workspace; null when none has an answer. */
export async function finalAnswerQuantile(connection: DuckDBConnection, p: number): Promise<number | null> {
  const [r] = await rows(connection, `SELECT quantile_cont(chars, ?) AS q FROM (${FINAL_ANSWER})`, [p]);
  return r?.q == null ? null : Number(r.q);
}

/** Everything case selection needs to know of each trace, in the order given. */
export async function readCandidates(connection: DuckDBConnection, traceIds: readonly string[]): Promise<Candidate[]> {
  if (!traceIds.length) return [];
  const truth = await readTruth(connection, traceIds);
  const ties = await readTies(connection, traceIds);
  const facts = new Map(
    (
      await rows(
        connection,
        `SELECT t.trace_id, t.status, t.tool_error_count, a.chars,
      (SELECT list(c.cluster_id ORDER BY c.cluster_id) FROM trace_clusters c WHERE c.trace_id = t.trace_id AND c.kind = 'semantic') AS topics
    FROM traces t LEFT JOIN (${FINAL_ANSWER}) a USING (trace_id) WHERE t.trace_id IN (SELECT unnest(?::VARCHAR[]))`,
        [ids(traceIds)]
      )
    ).map((r) => [String(r.trace_id), r])
  );
  return traceIds.flatMap((traceId) => {
    const f = facts.get(traceId);
    if (!f) return [];
    return [
      {
        traceId,
        truth: truth.get(traceId) ?? [],
        topics: ((f.topics as string[] | null) ?? []).map(String),
        outputChars: f.chars == null ? null : Number(f.chars),
        toolErrors: Number(f.tool_error_count ?? 0),
        status: String(f.status),
        tied: ties.has(traceId)
      }
    ];
  });
}

/** Semantic clusters the given traces belong to: the topics a dataset already covers. */
export async function readTopics(connection: DuckDBConnection, traceIds: readonly string[]): Promise<Set<string>> {
  if (!traceIds.length) return new Set();
  const result = await rows(
    connection,
    "SELECT DISTINCT cluster_id FROM trace_clusters WHERE kind = 'semantic' AND trace_id IN (SELECT unnest(?::VARCHAR[]))",
    [ids(traceIds)]
  );
  return new Set(result.map((r) => String(r.cluster_id)));
}

/**
 * The latest corrected output an annotator wrote for each trace, preferring one on `criterion`. Corrected
 * output lives only in the annotation's body, so it is read from the mirrored log.
 */
export async function readCorrectedOutputs(
  connection: DuckDBConnection,
  traceIds: readonly string[],
  criterion: string | null
): Promise<Map<string, string>> {
  if (!traceIds.length || !(await tableExists(connection, "annotation_events"))) return new Map();
  const result = await rows(
    connection,
    `WITH current AS (
      SELECT * FROM annotation_events QUALIFY row_number() OVER (PARTITION BY annotation_id ORDER BY seq DESC) = 1)
    SELECT trace_id, arg_max(json_extract_string(body, '$.correctedOutput'), (criterion = ?)::INTEGER * 1000000000000 + seq) AS corrected
    FROM current WHERE op <> 'delete' AND json_extract_string(body, '$.correctedOutput') IS NOT NULL AND trace_id IN (SELECT unnest(?::VARCHAR[]))
    GROUP BY trace_id`,
    [criterion ?? "", ids(traceIds)]
  );
  return new Map(result.map((r) => [String(r.trace_id), String(r.corrected)]));
}
