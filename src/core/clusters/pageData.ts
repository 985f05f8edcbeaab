/** @module The shape of `data/clusters.json`, written by its data loader and read by the Clusters page. */
import type {Severity} from "../schemas/annotation.js";
import type {FailureModeState} from "../schemas/failureMode.js";
import type {SignatureField, SignatureFieldValue} from "./signature.js";

export interface ClusterSummaryRow {
  id: string;
  kind: "signature" | "semantic";
  name: string;
  size: number;
  sessions: number;
  severity: number;
  signature: string | null;
  /**
   * What the cluster's traces share. A signature cluster: the fields its key is made of ("failing tool",
   * "normalised error", …), never where a trace came from. A semantic cluster: the evidence of what went wrong
   * ("error messages", "failed tool results", …, see `EVIDENCE_FIELDS`).
   */
  madeOf: (SignatureField | EvidenceField)[];
  /** A signature cluster's fields with the values its traces share, in key order (empty for a semantic cluster). */
  fields: SignatureFieldValue[];
  terms: string[];
  representatives: string[];
  firstSeen: number | null;
  lastSeen: number | null;
  /** Dated traces a day over the 30 days up to `volumeUntil`, oldest first (by each trace's own start time). */
  daily: number[];
  /** The cluster's traces with no start time, which no day can hold. */
  undated: number;
  /**
   * For a signature cluster, what its traces are mostly about: the semantic cluster holding most of them, when it
   * holds at least half ("refund tool error" · "after a shipping-delay question").
   */
  topic: {clusterId: string; terms: string[]; share: number} | null;
  /** Over the severities labels on its traces give (not `severity`, the cluster's own failure weight). */
  labelSeverity?: {worst: Severity | null; common: Severity | null; labels: number};
}

/** What a semantic cluster is made of: the evidence of what went wrong in each trace, as `evidenceText` reads it. */
export const EVIDENCE_FIELDS = [
  "error messages",
  "failed tool results",
  "turns around the first failure",
  "final answer",
  "annotators' explanations and failure modes",
  "failing judges' reasoning"
] as const;
export type EvidenceField = (typeof EVIDENCE_FIELDS)[number];

/** The semantic cluster holding at least `minShare` of a signature cluster's traces, from counts by semantic cluster (null: none). */
export function dominantTopic(
  counts: ReadonlyMap<string | null, number>,
  terms: ReadonlyMap<string, string[]>,
  minShare = 0.5
): ClusterSummaryRow["topic"] {
  let total = 0;
  let best: [string, number] | null = null;
  for (const [id, n] of [...counts.entries()].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1))) {
    total += n;
    if (id !== null && (!best || n > best[1])) best = [id, n];
  }
  if (!best || total === 0 || best[1] / total < minShare) return null;
  return {clusterId: best[0], terms: terms.get(best[0]) ?? [], share: best[1] / total};
}

export interface ClusterPoint {
  traceId: string;
  name: string | null;
  status: string;
  preview: string | null;
  seenAt: number;
  semanticId: string | null;
  signatureId: string | null;
  x: number | null;
  y: number | null;
}

export interface FailureModeSummary {
  name: string;
  description: string | null;
  registered: boolean;
  state: FailureModeState;
  allowedMoves: FailureModeState[];
  firstSeen: number | null;
  lastSeen: number | null;
  traces: number;
  sessions: number;
  clusterIds: string[];
  annotationCount: number;
  evaluatorIds: string[];
  trends: string[];
  pruneCandidate: boolean;
  /** Over the severities its labels give: the worst and the most common (null when none says). */
  severity?: {worst: Severity | null; common: Severity | null};
  /** Its dated traces a day (UTC midnight, in ms) over the 30 days its trend flags are read from, oldest first. */
  daily?: {day: number; count: number}[];
}

export interface ClusterPageData {
  run: {runId: string; createdAt: number; method: string} | null;
  volumeUntil: number | null;
  clusters: ClusterSummaryRow[];
  points: ClusterPoint[];
  failureModes: FailureModeSummary[];
  problems: string[];
}

/** Review order: volume × severity, then volume. */
export function byPriority(a: ClusterSummaryRow, b: ClusterSummaryRow): number {
  return b.size * b.severity - a.size * a.severity || b.size - a.size || (a.id < b.id ? -1 : 1);
}

/** A shell word: single-quoted unless it is plainly safe, so a copied command means exactly what was typed. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function promoteCommand(name: string, clusterId: string, description: string): string {
  return [
    "plumbline failure-mode promote",
    "--name",
    shellQuote(name || "<name>"),
    "--cluster",
    shellQuote(clusterId),
    ...(description ? ["--description", shellQuote(description)] : [])
  ].join(" ");
}

export function setStateCommand(name: string, state: string): string {
  return `plumbline failure-mode set-state ${shellQuote(name)} ${state}`;
}

/** Points inside a rectangle of the map (x0 ≤ x ≤ x1, y0 ≤ y ≤ y1); points without a place are never inside. */
export function pointsIn(
  points: readonly ClusterPoint[],
  [[x0, y0], [x1, y1]]: [[number, number], [number, number]]
): ClusterPoint[] {
  return points.filter(
    (p) =>
      p.x !== null &&
      p.y !== null &&
      p.x >= Math.min(x0, x1) &&
      p.x <= Math.max(x0, x1) &&
      p.y >= Math.min(y0, y1) &&
      p.y <= Math.max(y0, y1)
  );
}
