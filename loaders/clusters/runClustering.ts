/**
 * @module One clustering run over the workspace: signature clusters of every trace with a failure cue, then
 * semantic clusters of (a seeded sample of at most `maxTraces` of) the same traces, written to the store.
 */
import {maxOf, minOf} from "../../src/core/clusters/extent.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {
  clusterSignatures,
  DEFAULT_SIGNATURE_OPTIONS,
  signatureOf,
  type SignatureOptions
} from "../../src/core/clusters/signature.js";
import {sampleIndices, seededRandom} from "../../src/core/random.js";
import {DEFAULT_SEMANTIC_OPTIONS, semanticClusters} from "../../src/core/clusters/semantic.js";
import {tfidfVectors, traceEmbeddingText, traceTokens} from "../../src/core/clusters/tfidf.js";
import {readTraceFacts, readTraceTexts, type TraceFacts} from "../store/clusterInputs.js";
import {replaceClusters, type ClusterRow, type TraceClusterRow} from "../store/clusterTables.js";
import {embedTexts, type EmbeddingEndpoint} from "./embeddings.js";

export interface ClusterOptions {
  embeddings: "tfidf" | "openai";
  /** Required for "openai". */
  endpoint?: EmbeddingEndpoint;
  maxTraces: number;
  seed: number;
  maxK: number;
  /** See SemanticOptions.splitThreshold. */
  splitThreshold: number;
  signature?: SignatureOptions;
  /** Skip semantic clustering (signatures only). */
  semantic: boolean;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  embeddings: "tfidf",
  maxTraces: 2000,
  seed: 42,
  maxK: 12,
  splitThreshold: 0.5,
  semantic: true
};

export interface ClusterSummary {
  runId: string;
  traces: number;
  flagged: number;
  signatureClusters: number;
  largestSignature: {name: string; size: number} | null;
  semantic: {
    clustered: number;
    sampled: boolean;
    k: number;
    method: string;
    silhouettes: {k: number; silhouette: number}[];
    cached?: number;
    fetched?: number;
  } | null;
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
  const facts = await readTraceFacts(connection);
  const byId = new Map(facts.map((f) => [f.traceId, f]));
  lap("read");
  const signatures = facts.flatMap((f) => signatureOf(f, options.signature ?? DEFAULT_SIGNATURE_OPTIONS) ?? []);
  const signatureClusters = clusterSignatures(signatures);
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
  const flaggedIds = signatures.map((s) => s.traceId);
  const severityOf = new Map(signatures.map((s) => [s.traceId, s.severity]));
  if (options.semantic && flaggedIds.length >= 2) {
    const random = seededRandom(options.seed);
    const chosen = sampleIndices(flaggedIds.length, options.maxTraces, random).map((i) => flaggedIds[i]!);
    const texts = await readTraceTexts(connection, chosen);
    const traceTexts = chosen.map((id) => texts.get(id)!);
    const tokens = traceTexts.map(traceTokens);
    lap("semantic inputs");
    let vectors: number[][];
    let method: string;
    let cacheFigures: {cached?: number; fetched?: number} = {};
    if (options.embeddings === "openai") {
      if (!options.endpoint) throw new Error("openai embeddings need an endpoint");
      const result = await embedTexts(
        connection,
        traceTexts.map((x) => traceEmbeddingText(x)),
        options.endpoint,
        (d, n) => progress("embed", d, n)
      );
      vectors = result.vectors;
      cacheFigures = {cached: result.cached, fetched: result.fetched};
      method = `embeddings ${options.endpoint.model} + umap + k-means (k by silhouette)`;
    } else {
      vectors = tfidfVectors(tokens).vectors;
      method = "tf-idf + umap + k-means (k by silhouette)";
    }
    lap("embed");
    const result = semanticClusters(vectors, tokens, random, {
      ...DEFAULT_SEMANTIC_OPTIONS,
      maxK: options.maxK,
      splitThreshold: options.splitThreshold,
      progress: (d, n) => progress("umap", d, n)
    });
    lap("umap + k-means");
    for (const c of result.clusters) {
      const ids = c.members.map((i) => chosen[i]!);
      const clusterId = `sem-${c.label}`;
      const terms = c.terms.map((x) => x.term);
      clusters.push({
        clusterId,
        kind: "semantic",
        name: terms.slice(0, 4).join(", ") || `cluster ${c.label}`,
        size: ids.length,
        severity: maxOf(ids.map((id) => severityOf.get(id) ?? 0)),
        signature: null,
        terms,
        representativeTraceIds: ids.slice(0, 5),
        x: c.centre[0],
        y: c.centre[1],
        method,
        ...seenRange(ids.map((id) => byId.get(id)!))
      });
      for (const i of c.members)
        members.push({
          traceId: chosen[i]!,
          clusterId,
          kind: "semantic",
          x: result.coords[i]![0],
          y: result.coords[i]![1]
        });
    }
    semantic = {
      clustered: chosen.length,
      sampled: chosen.length < flaggedIds.length,
      k: result.k,
      method,
      silhouettes: result.silhouettes,
      ...cacheFigures
    };
  }
  await replaceClusters(
    connection,
    options.semantic ? ["signature", "semantic"] : ["signature"],
    runId,
    clusters,
    members
  );
  lap("write");
  return {
    runId,
    traces: facts.length,
    flagged: flaggedIds.length,
    signatureClusters: signatureClusters.length,
    largestSignature: signatureClusters[0]
      ? {name: signatureClusters[0].name, size: signatureClusters[0].traceIds.length}
      : null,
    semantic,
    timings
  };
}
