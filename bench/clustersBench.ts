/**
 * @module How well clusters separate what people labelled, and how long clustering takes, on the real demo traces.
 *
 * - τ-bench airline (200 runs, reward pass/fail): every run clustered semantically (offline TF-IDF → UMAP →
 *   k-means by silhouette), and by structural signature with feedback left out (with it, the reward would be
 *   part of the signature and separation trivial); purity and ARI against pass/fail.
 * - Who&When (184 failed runs, the blamed agent): semantic clusters against the blamed agent, for all runs and for
 *   the hand-crafted subset (4 agents).
 * - Timings: clustering the demo workspace, and semantic clustering of 500–2,000 documents (single demo turns).
 */
import {existsSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {adjustedRandIndex, purity} from "../src/core/clusters/randIndex.js";
import {seededRandom} from "../src/core/random.js";
import {DEFAULT_SEMANTIC_OPTIONS, semanticClusters} from "../src/core/clusters/semantic.js";
import {DEFAULT_SIGNATURE_OPTIONS, signatureOf} from "../src/core/clusters/signature.js";
import {tfidfVectors, tokenize, traceTokens} from "../src/core/clusters/tfidf.js";
import {demoInputs} from "../loaders/cli/demoCommand.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../loaders/clusters/runClustering.js";
import {generateOtlpLine} from "../loaders/formats/otlpSynth.js";
import {ingest} from "../loaders/ingest/ingest.js";
import {readTraceFacts, readTraceTexts} from "../loaders/store/clusterInputs.js";
import {withConnection} from "../loaders/store/db.js";
import {fmt, OUT, table} from "./run.js";

export interface Agreement {
  dataset: string;
  method: string;
  traces: number;
  classes: number;
  clusters: number;
  purity: number;
  /** The purity of putting every trace in one cluster: the majority class's share, the floor to beat. */
  baseline: number;
  /** Purity of the same cluster sizes with the labels shuffled: more clusters are purer by chance alone. */
  chance: number;
  ari: number;
  /** The ARI over five other seeds (1, 2, 3, 4, 5): how much of the figure is the seed. */
  ariRange?: [number, number];
}

const SEEDS = [1, 2, 3, 4, 5];

const baseline = (labels: readonly string[]) =>
  purity(
    labels.map(() => 0),
    labels
  );

/** Purity expected by chance for clusters of these sizes: the mean over 20 seeded shuffles of the true labels. */
function chancePurity(predicted: readonly (string | number)[], labels: readonly string[]): number {
  const random = seededRandom(1);
  let total = 0;
  for (let round = 0; round < 20; round++) {
    const shuffled = labels.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    total += purity(predicted, shuffled);
  }
  return total / 20;
}

async function labelOf(connection: DuckDBConnection, name: string): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    "SELECT trace_id, label FROM feedback WHERE name = ? AND label IS NOT NULL",
    [name]
  );
  return new Map(reader.getRows().map(([id, label]) => [String(id), String(label)]));
}

async function semanticAgreement(
  connection: DuckDBConnection,
  dataset: string,
  truth: Map<string, string>,
  splitThreshold = 0.5,
  seed = 42
): Promise<Agreement> {
  const options = {...DEFAULT_SEMANTIC_OPTIONS, splitThreshold};
  const ids = [...truth.keys()].sort();
  const texts = await readTraceTexts(connection, ids);
  const tokens = ids.map((id) => traceTokens(texts.get(id)!));
  const vectors = tfidfVectors(tokens).vectors;
  const labels = ids.map((id) => truth.get(id)!);
  const ari = (s: number) =>
    adjustedRandIndex(semanticClusters(vectors, tokens, seededRandom(s), options).labels, labels);
  const result = semanticClusters(vectors, tokens, seededRandom(seed), options);
  const others = SEEDS.map(ari);
  return {
    dataset,
    method: `semantic (TF-IDF, UMAP, k-means by silhouette), split ≥ ${splitThreshold}`,
    traces: ids.length,
    classes: new Set(labels).size,
    clusters: result.k,
    purity: purity(result.labels, labels),
    baseline: baseline(labels),
    chance: chancePurity(result.labels, labels),
    ari: adjustedRandIndex(result.labels, labels),
    ariRange: [Math.min(...others), Math.max(...others)]
  };
}

export async function clustersBench(
  workspace = join(OUT, "ws-demo")
): Promise<{agreement: Agreement[]; timings: Record<string, number>}> {
  if (existsSync(workspace)) rmSync(workspace, {recursive: true, force: true});
  await ingest({workspace, paths: demoInputs()}, {log: () => {}, progress: () => {}});
  const timings: Record<string, number> = {};
  const agreement = await withConnection(workspace, async (connection) => {
    const reward = await labelOf(connection, "reward");
    const blamed = await labelOf(connection, "mistake_agent");
    const hand = new Map([...blamed].filter(([id]) => id.startsWith("ww-hand-")));
    const out: Agreement[] = [];
    out.push(await semanticAgreement(connection, "τ-bench airline: pass/fail", reward));
    // Structure alone: feedback left out of the signature; a trace with no failure cue is its own "no signature" group.
    const facts = (await readTraceFacts(connection)).filter((f) => reward.has(f.traceId));
    const keys = facts.map(
      (f) => signatureOf(f, {...DEFAULT_SIGNATURE_OPTIONS, ignoreFeedback: true})?.key ?? "(no failure cue)"
    );
    const truth = facts.map((f) => reward.get(f.traceId)!);
    out.push({
      dataset: "τ-bench airline: pass/fail",
      method: "signature, structure only (no feedback)",
      traces: facts.length,
      classes: 2,
      clusters: new Set(keys).size,
      purity: purity(keys, truth),
      baseline: baseline(truth),
      chance: chancePurity(keys, truth),
      ari: adjustedRandIndex(keys, truth)
    });
    out.push(await semanticAgreement(connection, "Who&When: blamed agent, all runs", blamed));
    out.push(await semanticAgreement(connection, "Who&When: blamed agent, hand-crafted", hand));
    // Finer clusters: split again at a lower silhouette.
    out.push(await semanticAgreement(connection, "τ-bench airline: pass/fail", reward, 0.4));
    out.push(await semanticAgreement(connection, "Who&When: blamed agent, all runs", blamed, 0.4));
    out.push(await semanticAgreement(connection, "Who&When: blamed agent, hand-crafted", hand, 0.4));
    let t = performance.now();
    const run = await runClustering(connection, DEFAULT_CLUSTER_OPTIONS);
    timings["plumbline cluster, demo workspace (411 traces, 309 flagged)"] = performance.now() - t;
    for (const [step, ms] of Object.entries(run.timings)) timings[`  ${step}`] = ms;
    // Scale: single user and assistant turns of the demo as documents, so that every document is distinct text.
    const turns = await connection.runAndReadAll(
      "SELECT content FROM messages WHERE role IN ('user', 'assistant') AND content IS NOT NULL ORDER BY trace_id, idx"
    );
    const docs = [...new Set(turns.getRows().map(([c]) => String(c).slice(0, 600)))]
      .map(tokenize)
      .filter((d) => d.length > 2);
    for (const n of [500, 1000, 2000].filter((n) => n <= docs.length)) {
      const sample = docs.slice(0, n);
      t = performance.now();
      const vectors = tfidfVectors(sample).vectors;
      semanticClusters(vectors, sample, seededRandom(7), DEFAULT_SEMANTIC_OPTIONS);
      timings[`semantic clustering of ${fmt.int(n)} documents (TF-IDF + UMAP + k-means)`] = performance.now() - t;
    }
    return out;
  });
  // Scale: 200,000 synthetic OTLP spans (20,000 traces, one tool call in eight failing): signatures for every trace,
  // semantic clusters for the seeded sample of 2,000 that --max-traces allows.
  const synthetic = join(OUT, "ws-cluster-scale");
  const file = join(OUT, "cluster-scale.jsonl");
  rmSync(synthetic, {recursive: true, force: true});
  writeFileSync(file, Array.from({length: 2000}, (_, i) => generateOtlpLine(i)).join("\n") + "\n");
  await ingest({workspace: synthetic, paths: [file]}, {log: () => {}, progress: () => {}});
  const started = performance.now();
  const scale = await withConnection(synthetic, (connection) => runClustering(connection, DEFAULT_CLUSTER_OPTIONS));
  timings[
    `runClustering on ${fmt.int(scale.traces)} synthetic traces (${fmt.int(scale.flagged)} flagged, ${fmt.int(scale.semantic?.clustered ?? 0)} sampled)`
  ] = performance.now() - started;
  for (const [step, ms] of Object.entries(scale.timings)) timings[`  ${step} `] = ms;
  console.log(
    table([
      [
        "dataset",
        "method",
        "traces",
        "classes",
        "clusters",
        "purity",
        "chance purity",
        "one-cluster purity",
        "ARI",
        "ARI, seeds 1–5"
      ],
      ...agreement.map((a) => [
        a.dataset,
        a.method,
        String(a.traces),
        String(a.classes),
        String(a.clusters),
        a.purity.toFixed(3),
        a.chance.toFixed(3),
        a.baseline.toFixed(3),
        a.ari.toFixed(3),
        a.ariRange ? `${a.ariRange[0].toFixed(3)} to ${a.ariRange[1].toFixed(3)}` : "deterministic"
      ])
    ])
  );
  console.log();
  console.log(table([["clustering", "time"], ...Object.entries(timings).map(([name, ms]) => [name, fmt.ms(ms)])]));
  return {agreement, timings};
}
