/** @module What the failure-mode registry reads from the store (clusters, traces, human labels) and its mirror table. */
import {SeveritySchema, type Severity} from "../../src/core/schemas/annotation.js";
import {listValue, type DuckDBConnection, type DuckDBValue} from "@duckdb/node-api";
import {ClusterLinkSchema, type ClusterLink} from "../../src/core/schemas/failureMode.js";
import {tableExists} from "./db.js";
import type {FailureModeSummary} from "../../src/core/clusters/pageData.js";

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = []
): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJson() as Record<string, unknown>[];
}

/** The link a promotion records for a cluster of the latest run, or null when there is no such cluster. */
export async function readClusterLink(
  connection: DuckDBConnection,
  clusterId: string
): Promise<(ClusterLink & {name: string}) | null> {
  const [cluster] = await rows(connection, "SELECT kind, signature, name FROM clusters WHERE cluster_id = ?", [
    clusterId
  ]);
  if (!cluster) return null;
  const members = await rows(connection, "SELECT trace_id FROM trace_clusters WHERE cluster_id = ? ORDER BY trace_id", [
    clusterId
  ]);
  return {
    clusterId,
    kind: ClusterLinkSchema.shape.kind.parse(cluster.kind),
    signature: cluster.signature === null ? null : String(cluster.signature),
    // Kept for every kind: the next run may regroup these traces, or a signature may change its key.
    traceIds: members.map((m) => String(m.trace_id)),
    name: String(cluster.name)
  };
}

/** The latest run's signature clusters: their ids by key. */
export async function readSignatureKeys(connection: DuckDBConnection): Promise<Map<string, string>> {
  if (!(await tableExists(connection, "clusters"))) return new Map();
  const result = await rows(connection, "SELECT signature, cluster_id FROM clusters WHERE kind = 'signature'");
  return new Map(result.map((r) => [String(r.signature), String(r.cluster_id)]));
}

/** Current members of signature clusters by id. */
export async function readSignatureMembers(
  connection: DuckDBConnection,
  clusterIds: readonly string[]
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(clusterIds.map((id) => [id, []]));
  if (clusterIds.length === 0) return out;
  const result = await rows(
    connection,
    "SELECT cluster_id, list(trace_id ORDER BY trace_id) AS ids FROM trace_clusters WHERE cluster_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY cluster_id",
    [listValue(clusterIds.slice())]
  );
  for (const r of result) out.set(String(r.cluster_id), (r.ids as string[]).slice());
  return out;
}

/** Per failure-mode name used in human labels (owned by annotation; empty when that table is absent): labels and traces. */
export async function readLabelledModes(
  connection: DuckDBConnection
): Promise<Map<string, {labels: number; traceIds: string[]; severities: Severity[]}>> {
  const out = new Map<string, {labels: number; traceIds: string[]; severities: Severity[]}>();
  if (!(await tableExists(connection, "human_labels"))) return out;
  const result = await rows(
    connection,
    `SELECT failure_mode, count(*) AS labels, list(DISTINCT trace_id ORDER BY trace_id) AS ids,
      coalesce(list(severity) FILTER (WHERE severity IS NOT NULL), []) AS severities
    FROM human_labels WHERE failure_mode IS NOT NULL AND trim(failure_mode) <> '' GROUP BY failure_mode`
  );
  for (const r of result)
    out.set(String(r.failure_mode).trim(), {
      labels: Number(r.labels),
      traceIds: (r.ids as string[]).slice(),
      severities: ((r.severities as string[]) ?? []).flatMap((s) => {
        const parsed = SeveritySchema.safeParse(s);
        return parsed.success ? [parsed.data] : [];
      })
    });
  return out;
}

/** When each trace was seen (start time, else ingest time; epoch ms) and its session. */
export async function readTraceTimes(
  connection: DuckDBConnection,
  traceIds: readonly string[]
): Promise<Map<string, {seenAt: number | null; sessionId: string}>> {
  const out = new Map<string, {seenAt: number | null; sessionId: string}>();
  if (traceIds.length === 0) return out;
  const result = await rows(
    connection,
    // A trace's own start time: when it was ingested says nothing about when the failure happened.
    `SELECT trace_id, epoch_ms(start_time) AS seen_at, coalesce(session_id, trace_id) AS session_id
    FROM traces WHERE trace_id IN (SELECT unnest(?::VARCHAR[]))`,
    [listValue([...new Set(traceIds)])]
  );
  for (const r of result)
    out.set(String(r.trace_id), {
      seenAt: r.seen_at === null ? null : Number(r.seen_at),
      sessionId: String(r.session_id)
    });
  return out;
}

/** A mode as the mirror stores it: the Clusters page's summary less what only the page needs, with a plain state. */
export type FailureModeRow = Omit<FailureModeSummary, "registered" | "allowedMoves" | "state"> & {state: string};

/** Rebuilds the failure_modes mirror in one transaction. */
export async function replaceFailureModes(
  connection: DuckDBConnection,
  modes: readonly FailureModeRow[]
): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    await connection.run("DELETE FROM failure_modes");
    // Lists travel as JSON text: an empty list parameter would have no item type.
    const insert = await connection.prepare(
      `INSERT INTO failure_modes VALUES (?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, CAST(?::JSON AS VARCHAR[]), ?,
        CAST(?::JSON AS VARCHAR[]), CAST(?::JSON AS VARCHAR[]), ?, now()::TIMESTAMP)`
    );
    const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    for (const m of modes) {
      insert.bind([
        m.name,
        m.description,
        m.state,
        time(m.firstSeen),
        time(m.lastSeen),
        m.traces,
        m.sessions,
        JSON.stringify(m.clusterIds),
        m.annotationCount,
        JSON.stringify(m.evaluatorIds),
        JSON.stringify(m.trends),
        m.pruneCandidate
      ]);
      await insert.run();
    }
    insert.destroySync();
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}
