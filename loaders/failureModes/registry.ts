/**
 * @module The failure-mode registry as people see it: the modes replayed from the event file, each with what the
 * store shows of it (traces and sessions affected, first and last seen, linked clusters, annotations, evaluators),
 * its effective state and trend flags as of `now`. Failure-mode names that annotators used but nobody promoted
 * are listed too, in state `new`, so the registry never misses a mode people have started to name.
 */
import {commonSeverity, worstSeverity} from "../../src/core/annotations/severity.js";
import type {Severity} from "../../src/core/schemas/annotation.js";
import {maxOf} from "../../src/core/clusters/extent.js";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {
  allowedMoves,
  effectiveState,
  enteredAt,
  replayEvents,
  type ModeRecord
} from "../../src/core/failureModes/lifecycle.js";
import {dailyCounts, DEFAULT_TRENDS, trendFlags, type TrendThresholds} from "../../src/core/failureModes/trends.js";
import type {FailureModeState} from "../../src/core/schemas/failureMode.js";
import {PROJECT_ROOT} from "../workspace/changed.js";
import {currentSignatureKey} from "../../src/core/clusters/signatureMigration.js";
import type {ClusterLink} from "../../src/core/schemas/failureMode.js";
import {
  readLabelledModes,
  readSignatureKeys,
  readSignatureMembers,
  readTraceTimes,
  type FailureModeRow
} from "../store/failureModeStore.js";
import {readEvaluatorLinks} from "./evaluatorSpecs.js";
import {eventLogPath, readEvents} from "./eventLog.js";

export interface FailureModeView extends FailureModeRow {
  /** False for a name found only in human labels. */
  registered: boolean;
  setState: FailureModeState;
  state: FailureModeState;
  allowedMoves: FailureModeState[];
  history: ModeRecord["history"];
  daily: {day: number; count: number}[];
  /** Over the severities its labels give: the worst and the most common (null when none says). */
  severity: {worst: Severity | null; common: Severity | null};
}

export interface RegistryOptions {
  workspace: string;
  now: number;
  evaluatorsDir?: string;
  thresholds?: TrendThresholds;
}

/**
 * A signature link's cluster in the latest run. A link keeps the key it was promoted under; when signatures
 * changed format since, its old key is read into today's (see `currentSignatureKey`) and the cluster with that key
 * is the mode's, or, for an old error template cut at its length limit, the one cluster whose key it begins. A
 * link whose failure is not in the latest run keeps its own id.
 */
function signatureResolver(keys: ReadonlyMap<string, string>): (link: ClusterLink) => string {
  return (link) => {
    if (link.signature === null || keys.get(link.signature) === link.clusterId) return link.clusterId;
    const key = currentSignatureKey(link.signature);
    if (key === null) return link.clusterId;
    const exact = keys.get(key);
    if (exact !== undefined) return exact;
    if (!key.endsWith("…")) return link.clusterId;
    const head = key.slice(0, -1);
    const begun = [...keys].filter(([k]) => k.startsWith(head));
    return begun.length === 1 ? begun[0]![1] : link.clusterId;
  };
}

export async function loadRegistry(
  connection: DuckDBConnection,
  options: RegistryOptions
): Promise<{modes: FailureModeView[]; problems: string[]}> {
  const {events, problems: eventProblems} = readEvents(eventLogPath(options.workspace));
  const {modes, skipped} = replayEvents(events);
  const problems = [
    ...eventProblems.map((p) => `${p.file}:${p.line}: ${p.reason}`),
    ...skipped.map((s) => `${eventLogPath(options.workspace)}: event ${s.index + 1}: ${s.reason}`)
  ];
  const evaluators = readEvaluatorLinks(options.evaluatorsDir ?? join(PROJECT_ROOT, "evaluators"));
  problems.push(...evaluators.problems);
  const labelled = await readLabelledModes(connection);
  const records: (ModeRecord & {registered: boolean})[] = [...modes.values()].map((m) => ({...m, registered: true}));
  for (const name of [...labelled.keys()].sort()) {
    if (!modes.has(name))
      records.push({
        name,
        description: null,
        promotedAt: 0,
        clusters: [],
        state: "new",
        history: [],
        registered: false
      });
  }
  const currentId = signatureResolver(await readSignatureKeys(connection));
  const linkId = (link: ClusterLink) => (link.kind === "signature" ? currentId(link) : link.clusterId);
  const signatureIds = [
    ...new Set(records.flatMap((r) => r.clusters.filter((c) => c.kind === "signature").map(linkId)))
  ];
  const members = await readSignatureMembers(connection, signatureIds);
  const traceSets = records.map((r) => {
    const ids = new Set<string>(labelled.get(r.name)?.traceIds ?? []);
    for (const link of r.clusters) {
      for (const id of link.traceIds) ids.add(id);
      if (link.kind === "signature") for (const id of members.get(linkId(link)) ?? []) ids.add(id);
    }
    return ids;
  });
  const times = await readTraceTimes(
    connection,
    traceSets.flatMap((s) => [...s])
  );
  const views = records.map((record, i): FailureModeView => {
    const seen = [...traceSets[i]!].flatMap((id) => (times.has(id) ? [times.get(id)!] : []));
    // Undated traces count as traces, but say nothing about when: first/last seen and trends come from the dated.
    const seenAt = seen.flatMap((t) => (t.seenAt === null ? [] : [t.seenAt]));
    const evaluatorIds = [
      ...new Set(evaluators.links.filter((l) => l.failureMode === record.name).map((l) => l.id))
    ].sort();
    const annotationCount = labelled.get(record.name)?.labels ?? 0;
    const lastSeen = seenAt.length ? maxOf(seenAt) : null;
    // Contract: a name only annotators have used is `new` until someone registers it; registered modes are lifted.
    const state = record.registered
      ? effectiveState(record, {annotationCount, evaluatorCount: evaluatorIds.length, lastSeen})
      : "new";
    const trend = trendFlags(
      seenAt,
      {now: options.now, state: record.state, resolvedAt: enteredAt(record, "verified_resolved")},
      options.thresholds ?? DEFAULT_TRENDS
    );
    return {
      name: record.name,
      description: record.description,
      registered: record.registered,
      setState: record.state,
      state,
      allowedMoves: [...allowedMoves(state)],
      history: record.history,
      firstSeen: trend.firstSeen,
      lastSeen: trend.lastSeen,
      traces: seen.length,
      sessions: new Set(seen.map((t) => t.sessionId)).size,
      clusterIds: record.clusters.map(linkId),
      annotationCount,
      evaluatorIds,
      trends: trend.flags,
      pruneCandidate: trend.pruneCandidate,
      severity: {
        worst: worstSeverity(labelled.get(record.name)?.severities ?? []),
        common: commonSeverity(labelled.get(record.name)?.severities ?? [])
      },
      daily: dailyCounts(seenAt, options.now, 30)
    };
  });
  return {modes: views, problems};
}
