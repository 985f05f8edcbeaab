/** @module Writing and reading the clusters, trace_clusters and embedding_cache tables. */
import {listValue, type DuckDBConnection, type DuckDBValue} from "@duckdb/node-api";

/**
 * 'signature': equal failure signature; 'semantic': the evidence lens, alike evidence of what went wrong (the map);
 * 'topic': the topic lens, alike in what the traces are about.
 */
export type ClusterKind = "signature" | "semantic" | "topic";

export interface ClusterRow {
  clusterId: string;
  kind: ClusterKind;
  name: string;
  size: number;
  sessions: number;
  severity: number;
  signature: string | null;
  terms: string[] | null;
  representativeTraceIds: string[];
  firstSeen: number | null;
  lastSeen: number | null;
  x: number | null;
  y: number | null;
  method: string;
}

export interface TraceClusterRow {
  traceId: string;
  clusterId: string;
  kind: ClusterKind;
  x: number | null;
  y: number | null;
}

const timestamp = (ms: number | null): DuckDBValue => (ms === null ? null : new Date(ms).toISOString());
// Lists travel as JSON text: an empty list parameter would have no item type.
const strings = (values: readonly string[] | null): DuckDBValue => (values === null ? null : JSON.stringify(values));

/** Replaces every cluster of the given kinds (and their memberships) in one transaction. */
export async function replaceClusters(
  connection: DuckDBConnection,
  kinds: readonly ClusterKind[],
  runId: string,
  clusters: readonly ClusterRow[],
  members: readonly TraceClusterRow[]
): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    const kindList = listValue(kinds.slice());
    await connection.run("DELETE FROM clusters WHERE kind IN (SELECT unnest(?::VARCHAR[]))", [kindList]);
    await connection.run("DELETE FROM trace_clusters WHERE kind IN (SELECT unnest(?::VARCHAR[]))", [kindList]);
    const insert =
      await connection.prepare(`INSERT INTO clusters VALUES (?, ?, ?, ?, ?, ?, ?, CAST(?::JSON AS VARCHAR[]), CAST(?::JSON AS VARCHAR[]),
      ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, ?, ?, now()::TIMESTAMP)`);
    for (const c of clusters) {
      insert.bind([
        c.clusterId,
        c.kind,
        c.name,
        c.size,
        c.sessions,
        c.severity,
        c.signature,
        strings(c.terms),
        strings(c.representativeTraceIds),
        timestamp(c.firstSeen),
        timestamp(c.lastSeen),
        c.x,
        c.y,
        c.method,
        runId
      ]);
      await insert.run();
    }
    insert.destroySync();
    const appender = await connection.createAppender("trace_clusters");
    for (const m of members) {
      appender.appendVarchar(m.traceId);
      appender.appendVarchar(m.clusterId);
      appender.appendVarchar(m.kind);
      if (m.x === null) appender.appendNull();
      else appender.appendDouble(m.x);
      if (m.y === null) appender.appendNull();
      else appender.appendDouble(m.y);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}

/** Cached vectors for the given text hashes under `model`. */
export async function cachedEmbeddings(
  connection: DuckDBConnection,
  model: string,
  hashes: readonly string[]
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (hashes.length === 0) return out;
  const reader = await connection.runAndReadAll(
    "SELECT text_sha256, vector FROM embedding_cache WHERE model = ? AND text_sha256 IN (SELECT unnest(?::VARCHAR[]))",
    [model, listValue(hashes.slice())]
  );
  for (const row of reader.getRowObjectsJson()) out.set(String(row.text_sha256), (row.vector as number[]).map(Number));
  return out;
}

export async function cacheEmbeddings(
  connection: DuckDBConnection,
  model: string,
  vectors: ReadonlyMap<string, readonly number[]>
): Promise<void> {
  if (vectors.size === 0) return;
  const insert = await connection.prepare("INSERT INTO embedding_cache VALUES (?, ?, ?::FLOAT[], now()::TIMESTAMP)");
  try {
    for (const [hash, vector] of vectors) {
      insert.bind([model, hash, listValue(vector.slice())]);
      await insert.run();
    }
  } finally {
    insert.destroySync();
  }
}
