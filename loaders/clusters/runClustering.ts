/**
 * @module One clustering run over the workspace: signature clusters of every trace with a failure cue, then two
 * lenses on the same traces, each fitted on a seeded sample of at most `maxTraces` with the rest assigned to the
 * nearest cluster: semantic clusters of the evidence of what went wrong (or of drafted failure descriptions), and
 * topic clusters of what the traces are about. Written to the store.
 */
import {maxOf, minOf} from "../../src/core/clusters/extent.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {DEFAULT_SIGNATURE_OPTIONS, groupSignatures, type SignatureOptions} from "../../src/core/clusters/signature.js";
import {sampleIndices, seededRandom} from "../../src/core/random.js";
import {DEFAULT_SEMANTIC_OPTIONS, semanticClusters, type SemanticResult} from "../../src/core/clusters/semantic.js";
import {sparseRow, tfidfVectors, traceTokens, type TfidfModel} from "../../src/core/clusters/tfidf.js";
import {centroidsOf, nearestCentroid} from "../../src/core/clusters/assign.js";
import {clusterName, evidenceText, evidenceTokens, wordsAndPhrases} from "../../src/core/clusters/evidence.js";
import {
  countTraces,
  DEFAULT_EVIDENCE_OPTIONS,
  readTraceEvidence,
  readTraceFacts,
  readTraceTexts,
  type EvidenceOptions,
  type TraceFacts
} from "../store/clusterInputs.js";
import {replaceClusters, type ClusterRow, type TraceClusterRow} from "../store/clusterTables.js";
import {embedTexts, type EmbeddingEndpoint} from "./embeddings.js";
import {draftFailures, type DraftOptions, type DraftSummary} from "./drafts.js";
import {fitLensInThread, lensWorkerScript} from "./lensThread.js";

export interface ClusterOptions {
  embeddings: "tfidf" | "openai";
  /** Required for "openai". */
  endpoint?: EmbeddingEndpoint;
  maxTraces: number;
  seed: number;
  maxK: number;
  /** See SemanticOptions.splitThreshold. */
  splitThreshold: number;
  /** See SemanticOptions.runs: how many projections each lens's clusters are the consensus of. */
  runs: number;
  /**
   * Fit the topic lens on a worker thread, beside the evidence lens (the clusters are the same either way). By
   * default, when the sample has `LENS_THREAD_MIN` traces or more: below that, starting the thread costs more than
   * it saves.
   */
  lensThread?: boolean;
  signature?: SignatureOptions;
  /** Skip semantic clustering (signatures only). */
  semantic: boolean;
  /** What evidence to read; annotations are left out when clusters are measured against them. */
  evidence?: EvidenceOptions;
  /** Drafted failure descriptions by trace id: clustered in place of the evidence of the traces that have one. */
  drafts?: ReadonlyMap<string, string>;
  /** Draft a failure description of each flagged trace first (cached, within a budget), then cluster the drafts. */
  drafter?: DraftOptions;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  embeddings: "tfidf",
  maxTraces: 2000,
  seed: 42,
  maxK: 12,
  splitThreshold: 0.5,
  runs: DEFAULT_SEMANTIC_OPTIONS.runs,
  semantic: true
};

export interface ClusterSummary {
  runId: string;
  traces: number;
  flagged: number;
  signatureClusters: number;
  largestSignature: {name: string; size: number} | null;
  /** The evidence lens. */
  semantic: {
    /** Every flagged trace: the sample the clustering was fitted on, and the rest assigned to its clusters. */
    clustered: number;
    sample: number;
    sampled: boolean;
    k: number;
    method: string;
    silhouettes: {k: number; silhouette: number}[];
    cached?: number;
    fetched?: number;
  } | null;
  /** Drafting, when asked for. */
  drafts: DraftSummary | null;
  /** The topic lens, fitted on the same sample. */
  topic: {k: number; method: string} | null;
  timings: Record<string, number>;
}

export interface ClusterProgress {
  (phase: string, done: number, total: number): void;
}

function seenRange(facts: readonly TraceFacts[]): {
  firstSeen: number | null;
  lastSeen: number | null;
  sessions: number;
} {
  const seen = facts.map((f) => f.seenAt).filter(Number.isFinite);
  return {
    firstSeen: seen.length ? minOf(seen) : null,
    lastSeen: seen.length ? maxOf(seen) : null,
    sessions: new Set(facts.map((f) => f.sessionId)).size
  };
}

export async function runClustering(
  connection: DuckDBConnection,
  options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS,
  progress: ClusterProgress = () => {},
  now = Date.now()
): Promise<ClusterSummary> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const next = performance.now();
    timings[name] = next - t;
    t = next;
  };
  const runId = `run-${new Date(now).toISOString()}`;
  const traces = await countTraces(connection);
  const facts = await readTraceFacts(connection, true);
  const byId = new Map(facts.map((f) => [f.traceId, f]));
  lap("read");
  const grouping = groupSignatures(facts, options.signature ?? DEFAULT_SIGNATURE_OPTIONS);
  const signatureClusters = grouping.clusters;
  const clusters: ClusterRow[] = [];
  const members: TraceClusterRow[] = [];
  for (const c of signatureClusters) {
    const traceFacts = c.traceIds.map((id) => byId.get(id)!);
    // The most recent traces represent a signature: they show the failure as it looks now.
    const recent = traceFacts.slice().sort((a, b) => b.seenAt - a.seenAt || (a.traceId < b.traceId ? -1 : 1));
    clusters.push({
      clusterId: c.clusterId,
      kind: "signature",
      name: c.name,
      size: c.traceIds.length,
      severity: c.severity,
      signature: c.key,
      terms: null,
      representativeTraceIds: recent.slice(0, 5).map((f) => f.traceId),
      x: null,
      y: null,
      method: "signature",
      ...seenRange(traceFacts)
    });
    for (const traceId of c.traceIds)
      members.push({traceId, clusterId: c.clusterId, kind: "signature", x: null, y: null});
  }
  lap("signatures");
  let semantic: ClusterSummary["semantic"] = null;
  let topic: ClusterSummary["topic"] = null;
  const flaggedIds = grouping.flagged;
  const severityOf = new Map(flaggedIds.map((id, i) => [id, grouping.severities[i]!]));
  const seenOf = (ids: readonly string[]) => seenRange(ids.map((id) => byId.get(id)!));
  let draftSummary: DraftSummary | null = null;
  if (options.semantic && options.drafter && flaggedIds.length > 0) {
    const drafted = await draftFailures(connection, flaggedIds, options.drafter, (d, n) => progress("draft", d, n));
    draftSummary = drafted.summary;
    options = {...options, drafts: new Map([...(options.drafts ?? []), ...drafted.drafts])};
    lap("draft");
  }
  if (options.semantic && flaggedIds.length >= 2) {
    const random = seededRandom(options.seed);
    const chosen = sampleIndices(flaggedIds.length, options.maxTraces, random).map((i) => flaggedIds[i]!);
    const inSample = new Set(chosen);
    const rest = flaggedIds.filter((id) => !inSample.has(id));
    const evidenceTokensOf = async (ids: readonly string[]) => {
      const evidence = await readTraceEvidence(connection, ids, options.evidence ?? DEFAULT_EVIDENCE_OPTIONS);
      return ids.map((id) => {
        const draft = options.drafts?.get(id);
        return draft ? wordsAndPhrases(draft) : evidenceTokens(evidence.get(id)!);
      });
    };
    const topicTokensOf = async (ids: readonly string[]) => {
      const texts = await readTraceTexts(connection, ids);
      return ids.map((id) => traceTokens(texts.get(id)!));
    };
    // The evidence lens: the map and the semantic clusters.
    const tokens = await evidenceTokensOf(chosen);
    lap("evidence inputs");
    const lensOptions = {
      ...DEFAULT_SEMANTIC_OPTIONS,
      maxK: options.maxK,
      splitThreshold: options.splitThreshold,
      runs: options.runs
    };
    // The topic lens fits on another thread while this one fits the evidence: the same clusters, on two cores.
    const topicTokens = await topicTokensOf(chosen);
    const topicSeed = options.seed + 1;
    const topicInThread = options.lensThread ?? chosen.length >= LENS_THREAD_MIN;
    // The script is found first, so that the thread starts now rather than at the next await, after the evidence.
    const script = topicInThread ? await lensWorkerScript() : null;
    const topicFitting = script
      ? fitLensInThread({tokens: topicTokens, seed: topicSeed, options: lensOptions}, script)
      : null;
    // Awaited after the evidence lens; until then a failure must not count as unhandled.
    topicFitting?.catch(() => {});
    lap("topic inputs");
    let vectors: number[][];
    let method: string;
    let cacheFigures: {cached?: number; fetched?: number} = {};
    const fitted = tfidfVectors(tokens);
    const layout = layoutMethod(options.runs);
    const what = options.drafts ? "drafted failure descriptions (evidence where none)" : "failure evidence";
    if (options.embeddings === "openai") {
      if (!options.endpoint) throw new Error("openai embeddings need an endpoint");
      const evidence = await readTraceEvidence(connection, chosen, options.evidence ?? DEFAULT_EVIDENCE_OPTIONS);
      const result = await embedTexts(
        connection,
        chosen.map((id) => options.drafts?.get(id) ?? evidenceText(evidence.get(id)!)),
        options.endpoint,
        (d, n) => progress("embed", d, n)
      );
      vectors = result.vectors;
      cacheFigures = {cached: result.cached, fetched: result.fetched};
      method = `${what}: embeddings ${options.endpoint.model} + ${layout}`;
    } else {
      vectors = fitted.vectors;
      method = `${what}: tf-idf + ${layout}`;
    }
    lap("embed");
    const result = semanticClusters(vectors, tokens, random, {
      ...lensOptions,
      progress: (d, n) => progress("umap", d, n)
    });
    lap("umap + k-means");
    const evidenceLens = await assignRest(result, fitted, chosen, rest, evidenceTokensOf, (done, total) =>
      progress("assign", done, total)
    );
    lap("assign the rest");
    for (const c of result.clusters) {
      const ids = evidenceLens.members.get(c.label)!;
      const clusterId = `sem-${c.label}`;
      const terms = c.terms.map((x) => x.term);
      clusters.push({
        clusterId,
        kind: "semantic",
        name: clusterName(terms) || `cluster ${c.label}`,
        size: ids.length,
        severity: maxOf(ids.map((id) => severityOf.get(id) ?? 0)),
        signature: null,
        terms,
        representativeTraceIds: c.members.slice(0, 5).map((i) => chosen[i]!),
        x: c.centre[0],
        y: c.centre[1],
        method,
        ...seenOf(ids)
      });
    }
    chosen.forEach((traceId, i) =>
      members.push({
        traceId,
        clusterId: `sem-${result.labels[i]}`,
        kind: "semantic",
        x: result.coords[i]![0],
        y: result.coords[i]![1]
      })
    );
    for (const [traceId, label] of evidenceLens.assigned)
      members.push({traceId, clusterId: `sem-${label}`, kind: "semantic", x: null, y: null});
    semantic = {
      clustered: flaggedIds.length,
      sample: chosen.length,
      sampled: chosen.length < flaggedIds.length,
      k: result.k,
      method,
      silhouettes: result.silhouettes,
      ...cacheFigures
    };
    // The topic lens: what the traces are about (user turns, tools, speakers), shown beside each cluster.
    // Fitted here too when the thread fitted the lens: assigning the rest needs its vectors, and for 2,000 texts
    // computing them again took 30–70 ms where a structured clone of them alone took about 0.3 s.
    const topicFit = tfidfVectors(topicTokens);
    const topicResult =
      (await topicFitting) ?? semanticClusters(topicFit.vectors, topicTokens, seededRandom(topicSeed), lensOptions);
    const topicLens = await assignRest(topicResult, topicFit, chosen, rest, topicTokensOf, () => {});
    const topicMethod = `topic: tf-idf of user turns, tools and speakers + ${layout}`;
    for (const c of topicResult.clusters) {
      const ids = topicLens.members.get(c.label)!;
      const terms = c.terms.map((x) => x.term);
      clusters.push({
        clusterId: `topic-${c.label}`,
        kind: "topic",
        name: terms.slice(0, 4).join(", ") || `topic ${c.label}`,
        size: ids.length,
        severity: maxOf(ids.map((id) => severityOf.get(id) ?? 0)),
        signature: null,
        terms,
        representativeTraceIds: c.members.slice(0, 5).map((i) => chosen[i]!),
        x: null,
        y: null,
        method: topicMethod,
        ...seenOf(ids)
      });
    }
    chosen.forEach((traceId, i) =>
      members.push({traceId, clusterId: `topic-${topicResult.labels[i]}`, kind: "topic", x: null, y: null})
    );
    for (const [traceId, label] of topicLens.assigned)
      members.push({traceId, clusterId: `topic-${label}`, kind: "topic", x: null, y: null});
    topic = {k: topicResult.k, method: topicMethod};
    lap("topic lens");
  }
  await replaceClusters(
    connection,
    options.semantic ? ["signature", "semantic", "topic"] : ["signature"],
    runId,
    clusters,
    members
  );
  lap("write");
  return {
    runId,
    traces,
    flagged: flaggedIds.length,
    signatureClusters: signatureClusters.length,
    largestSignature: signatureClusters[0]
      ? {name: signatureClusters[0].name, size: signatureClusters[0].traceIds.length}
      : null,
    semantic,
    drafts: draftSummary,
    topic,
    timings
  };
}

/** The smallest sample whose topic lens is fitted on a worker thread by default. */
export const LENS_THREAD_MIN = 500;

/** How a lens's clusters were found, as the Clusters page shows it. */
function layoutMethod(runs: number): string {
  const one = "umap + k-means (k by silhouette)";
  return runs > 1 ? `consensus of ${runs} × ${one}` : one;
}

/**
 * How many traces `assignRest` reads and assigns at a time: bounds memory whatever the number of flagged traces.
 * Each batch's reads scan the tool calls, spans and messages whole, so the scans, not the batch's size, set its
 * cost: on 2.4 million spans a batch of 5,000 read its evidence and text in 0.96 s and one of 20,000 in 1.66 s.
 */
const ASSIGN_BATCH = 20_000;

/**
 * Every flagged trace's cluster: the sample's from the fitted clustering, the rest's by the nearest centroid of
 * the sample's TF-IDF rows, read and assigned in batches.
 */
async function assignRest(
  result: SemanticResult,
  fitted: TfidfModel,
  chosen: readonly string[],
  rest: readonly string[],
  tokensOf: (ids: readonly string[]) => Promise<string[][]>,
  progress: (done: number, total: number) => void
): Promise<{members: Map<number, string[]>; assigned: [string, number][]}> {
  const members = new Map(result.clusters.map((c) => [c.label, c.members.map((i) => chosen[i]!)]));
  const assigned: [string, number][] = [];
  if (rest.length === 0) return {members, assigned};
  const centroids = centroidsOf(fitted.vectors, result.labels, result.k);
  const column = new Map(fitted.vocabulary.map((term, i) => [term, i]));
  const idf = fitted.idf;
  for (let start = 0; start < rest.length; start += ASSIGN_BATCH) {
    const batch = rest.slice(start, start + ASSIGN_BATCH);
    const tokens = await tokensOf(batch);
    batch.forEach((id, i) => {
      const label = nearestCentroid(sparseRow(tokens[i]!, column, idf), centroids);
      members.get(label)!.push(id);
      assigned.push([id, label]);
    });
    progress(Math.min(start + ASSIGN_BATCH, rest.length), rest.length);
  }
  return {members, assigned};
}
