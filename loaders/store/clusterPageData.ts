/**
 * @module The Clusters page's data: every cluster with its daily volume, and every clustered trace with its
 * place on the map, status and first user message (cut short), from the last `plumbline cluster` run.
 */
import {maxOf} from "../../src/core/clusters/extent.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {dailyCounts} from "../../src/core/failureModes/trends.js";
import {dominantTopic, type ClusterPageData} from "../../src/core/clusters/pageData.js";
import {tableExists} from "./clusterTables.js";

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function clusterPageData(connection: DuckDBConnection, days = 30): Promise<Omit<ClusterPageData, "failureModes" | "problems">> {
  if (!(await tableExists(connection, "clusters"))) return {clusters: [], points: [], run: null, volumeUntil: null};
  const clusters = await rows(connection, `SELECT cluster_id, kind, name, size, sessions, severity, signature, terms,
    representative_trace_ids, epoch_ms(first_seen) AS first_seen, epoch_ms(last_seen) AS last_seen, method, run_id, epoch_ms(created_at) AS created_at
    FROM clusters ORDER BY kind, size * severity DESC, size DESC, cluster_id`);
  const points = await rows(connection, `
    SELECT t.trace_id, t.name, t.status, left(t.first_user_message, 200) AS preview, epoch_ms(coalesce(t.start_time, t.ingested_at)) AS seen_at,
      sem.cluster_id AS semantic_id, sem.x, sem.y, sig.cluster_id AS signature_id
    FROM traces t
    JOIN (SELECT DISTINCT trace_id FROM trace_clusters) USING (trace_id)
    LEFT JOIN trace_clusters sem ON sem.trace_id = t.trace_id AND sem.kind = 'semantic'
    LEFT JOIN trace_clusters sig ON sig.trace_id = t.trace_id AND sig.kind = 'signature'
    ORDER BY t.trace_id`);
  const semanticOf = new Map<string, (string | null)[]>();
  for (const p of points) {
    if (p.signature_id === null) continue;
    const list = semanticOf.get(String(p.signature_id)) ?? [];
    list.push(p.semantic_id === null ? null : String(p.semantic_id));
    semanticOf.set(String(p.signature_id), list);
  }
  const termsOf = new Map(clusters.filter((c) => c.kind === "semantic").map((c) => [String(c.cluster_id), ((c.terms as string[] | null) ?? []).slice()]));
  const seenByCluster = new Map<string, number[]>();
  for (const p of points) {
    for (const id of [p.semantic_id, p.signature_id]) {
      if (id === null) continue;
      const list = seenByCluster.get(String(id)) ?? [];
      list.push(Number(p.seen_at));
      seenByCluster.set(String(id), list);
    }
  }
  // Volume is drawn over the days up to the newest clustered trace, so an old workspace still shows its shape.
  const volumeUntil = points.length ? maxOf(points.map((p) => Number(p.seen_at))) : null;
  const first = clusters[0];
  return {
    run: first ? {runId: String(first.run_id), createdAt: Number(first.created_at), method: [...new Set(clusters.map((c) => String(c.method)))].join("; ")} : null,
    volumeUntil,
    clusters: clusters.map((c) => ({
      id: String(c.cluster_id),
      kind: c.kind === "semantic" ? "semantic" : "signature",
      name: String(c.name),
      size: Number(c.size),
      sessions: Number(c.sessions),
      severity: Number(c.severity),
      signature: c.signature === null ? null : String(c.signature),
      terms: (c.terms as string[] | null) ?? [],
      representatives: (c.representative_trace_ids as string[]).slice(),
      firstSeen: num(c.first_seen),
      lastSeen: num(c.last_seen),
      daily: volumeUntil === null ? [] : dailyCounts(seenByCluster.get(String(c.cluster_id)) ?? [], volumeUntil, days).map((d) => d.count),
      topic: c.kind === "signature" ? dominantTopic(semanticOf.get(String(c.cluster_id)) ?? [], termsOf) : null
    })),
    points: points.map((p) => ({
      traceId: String(p.trace_id),
      name: p.name === null ? null : String(p.name),
      status: String(p.status),
      preview: p.preview === null ? null : String(p.preview),
      seenAt: Number(p.seen_at),
      semanticId: p.semantic_id === null ? null : String(p.semantic_id),
      signatureId: p.signature_id === null ? null : String(p.signature_id),
      x: num(p.x),
      y: num(p.y)
    }))
  };
}
