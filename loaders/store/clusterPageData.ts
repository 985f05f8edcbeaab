/**
 * @module The Clusters page's data: every cluster with its daily volume and what it is mostly about, and the
 * clustered traces the page lists — every trace on the semantic map, and up to `perSignature` of each signature
 * cluster's most recent traces, so that a cluster of a hundred thousand traces does not ship them all.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {dailyCounts} from "../../src/core/failureModes/trends.js";
import {
  dominantTopic,
  EVIDENCE_FIELDS,
  type ClusterPageData,
  type ClusterSummaryRow
} from "../../src/core/clusters/pageData.js";
import {signatureFields, signatureFieldValues} from "../../src/core/clusters/signature.js";
import {commonSeverity, worstSeverity} from "../../src/core/annotations/severity.js";
import {SeveritySchema, type Severity} from "../../src/core/schemas/annotation.js";
import {tableExists} from "./db.js";

async function rows(
  connection: DuckDBConnection,
  sql: string,
  params: number[] = []
): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJson() as Record<string, unknown>[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const DAY = 86_400_000;

/** Only for clusters whose labels say a severity, so clusters nobody labelled are as they were. */
function labelSeverity(given: Severity[]): {labelSeverity?: NonNullable<ClusterSummaryRow["labelSeverity"]>} {
  return given.length
    ? {labelSeverity: {worst: worstSeverity(given), common: commonSeverity(given), labels: given.length}}
    : {};
}

export async function clusterPageData(
  connection: DuckDBConnection,
  days = 30,
  perSignature = 100
): Promise<Omit<ClusterPageData, "failureModes" | "problems">> {
  if (!(await tableExists(connection, "clusters"))) return {clusters: [], points: [], run: null, volumeUntil: null};
  const clusters = await rows(
    connection,
    `SELECT cluster_id, kind, name, size, sessions, severity, signature, terms,
    representative_trace_ids, epoch_ms(first_seen) AS first_seen, epoch_ms(last_seen) AS last_seen, method, run_id, epoch_ms(created_at) AS created_at
    FROM clusters WHERE kind IN ('signature', 'semantic') ORDER BY kind, size * severity DESC, size DESC, cluster_id`
  );
  const points = await rows(
    connection,
    `
    WITH seen AS (
      SELECT m.trace_id, m.cluster_id, m.kind, m.x, m.y, epoch_ms(coalesce(t.start_time, t.ingested_at)) AS seen_at,
        row_number() OVER (PARTITION BY m.cluster_id ORDER BY coalesce(t.start_time, t.ingested_at) DESC, m.trace_id) AS recency
      FROM trace_clusters m JOIN traces t USING (trace_id)
    ), listed AS (
      -- Traces on the map (the sample the map was fitted on; the rest are assigned to a cluster without a place).
      SELECT DISTINCT trace_id FROM seen WHERE (kind = 'semantic' AND x IS NOT NULL) OR (kind <> 'topic' AND recency <= ?)
    )
    SELECT t.trace_id, t.name, t.status, left(t.first_user_message, 200) AS preview, epoch_ms(coalesce(t.start_time, t.ingested_at)) AS seen_at,
      sem.cluster_id AS semantic_id, sem.x, sem.y, sig.cluster_id AS signature_id
    FROM traces t JOIN listed USING (trace_id)
    LEFT JOIN trace_clusters sem ON sem.trace_id = t.trace_id AND sem.kind = 'semantic'
    LEFT JOIN trace_clusters sig ON sig.trace_id = t.trace_id AND sig.kind = 'signature'
    ORDER BY t.trace_id`,
    [perSignature]
  );
  // Volume is drawn over the days up to the newest clustered trace, so an old workspace still shows its shape. Only
  // a trace's own time counts: the ingest time would put a whole dataset on one day.
  const [until] = await rows(
    connection,
    `SELECT epoch_ms(max(t.start_time)) AS until
    FROM traces t WHERE trace_id IN (SELECT trace_id FROM trace_clusters)`
  );
  const undated = new Map(
    (
      await rows(
        connection,
        `SELECT m.cluster_id, count(*) AS n FROM trace_clusters m JOIN traces t USING (trace_id)
        WHERE t.start_time IS NULL GROUP BY ALL`
      )
    ).map((r) => [String(r.cluster_id), Number(r.n)])
  );
  const volumeUntil = num(until?.until);
  const byDay = new Map<string, number[]>();
  if (volumeUntil !== null) {
    const start = Math.floor(volumeUntil / DAY) * DAY - (days - 1) * DAY;
    const counts = await rows(
      connection,
      `SELECT m.cluster_id, (epoch_ms(t.start_time) // ${DAY}) * ${DAY} AS day, count(*) AS n
      FROM trace_clusters m JOIN traces t USING (trace_id) WHERE epoch_ms(t.start_time) >= ? GROUP BY ALL`,
      [start]
    );
    for (const r of counts) {
      // dailyCounts takes one time per trace; a day's count is as many copies of that day.
      const list = byDay.get(String(r.cluster_id)) ?? [];
      for (let i = 0; i < Number(r.n); i++) list.push(Number(r.day));
      byDay.set(String(r.cluster_id), list);
    }
  }
  // What each cluster's traces are about: the topic lens, clusters of what users asked (kind 'topic').
  const overlap = await rows(
    connection,
    `SELECT sig.cluster_id AS signature_id, sem.cluster_id AS semantic_id, count(*) AS n
    FROM trace_clusters sig LEFT JOIN trace_clusters sem ON sem.trace_id = sig.trace_id AND sem.kind = 'topic'
    WHERE sig.kind IN ('signature', 'semantic') GROUP BY ALL`
  );
  const topicCounts = new Map<string, Map<string | null, number>>();
  for (const r of overlap) {
    const counts = topicCounts.get(String(r.signature_id)) ?? new Map<string | null, number>();
    counts.set(r.semantic_id === null ? null : String(r.semantic_id), Number(r.n));
    topicCounts.set(String(r.signature_id), counts);
  }
  const termsOf = new Map(
    (await rows(connection, "SELECT cluster_id, terms FROM clusters WHERE kind = 'topic'")).map((c) => [
      String(c.cluster_id),
      ((c.terms as string[] | null) ?? []).slice()
    ])
  );
  // What labels on each cluster's traces say of severity: the worst and the most common given.
  const severities = new Map<string, Severity[]>();
  if (await tableExists(connection, "human_labels")) {
    for (const r of await rows(
      connection,
      `SELECT m.cluster_id, list(h.severity) AS severities FROM trace_clusters m JOIN human_labels h USING (trace_id)
      WHERE h.severity IS NOT NULL GROUP BY ALL`
    ))
      severities.set(
        String(r.cluster_id),
        (r.severities as string[]).flatMap((s) => {
          const parsed = SeveritySchema.safeParse(s);
          return parsed.success ? [parsed.data] : [];
        })
      );
  }
  const first = clusters[0];
  return {
    run: first
      ? {
          runId: String(first.run_id),
          createdAt: Number(first.created_at),
          method: [...new Set(clusters.map((c) => String(c.method)))].join("; ")
        }
      : null,
    volumeUntil,
    clusters: clusters.map((c) => ({
      id: String(c.cluster_id),
      kind: c.kind === "semantic" ? "semantic" : "signature",
      name: String(c.name),
      size: Number(c.size),
      sessions: Number(c.sessions),
      severity: Number(c.severity),
      signature: c.signature === null ? null : String(c.signature),
      madeOf: c.kind === "semantic" ? [...EVIDENCE_FIELDS] : signatureFields(String(c.signature ?? "")),
      fields: c.kind === "semantic" ? [] : signatureFieldValues(String(c.signature ?? "")),
      terms: (c.terms as string[] | null) ?? [],
      representatives: (c.representative_trace_ids as string[]).slice(),
      firstSeen: num(c.first_seen),
      lastSeen: num(c.last_seen),
      daily:
        volumeUntil === null
          ? []
          : dailyCounts(byDay.get(String(c.cluster_id)) ?? [], volumeUntil, days).map((d) => d.count),
      undated: undated.get(String(c.cluster_id)) ?? 0,
      topic: dominantTopic(topicCounts.get(String(c.cluster_id)) ?? new Map(), termsOf),
      ...labelSeverity(severities.get(String(c.cluster_id)) ?? [])
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
