/**
 * @module How well clusters separate what people labelled, and how long clustering takes.
 *
 * - Agreement, on the demo workspace (`plumbline demo`'s: τ-bench airline with its grader's failure modes,
 *   Who&When with the blamed agent and step): three lenses over the same labelled traces — topic (what users
 *   asked: user turns, tools, speakers), evidence (what went wrong: errors, the agent that acted at the first
 *   failure and the speakers around it, the final answer and who gave it, the team and the last agent to speak;
 *   annotations left out, since they are the labels, and no feedback read) and drafted descriptions (from the
 *   fake OpenAI server, whose scripted answer quotes the evidence's first line: a measure of the pipeline, not of
 *   a model) — each TF-IDF → seven UMAP projections → k-means by silhouette in each → their consensus; purity and
 *   ARI against the labels, at seed 42 and over seeds 1–5.
 * - Held out: the evidence weights chosen on one half of each label set, scored on the other half.
 * - Scale: `runClustering` end to end on ≥ 20,000 and on ≥ 100,000 flagged synthetic OTLP traces, and on the
 *   ≥ 20,000 again with three hashed words added to every message so that no two traces' texts repeat (the second
 *   ingests 2.4 million spans through the real ingest first, which takes minutes: its setup has a row of its own);
 *   fit-and-assign on 100,000 synthetic evidence texts in memory; signatures of 1,000,000 synthetic traces, grouped
 *   as `runClustering` groups them. Peak RSS is sampled.
 */
import {appendFileSync, existsSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {adjustedRandIndex, purity} from "../src/core/clusters/randIndex.js";
import {seededRandom} from "../src/core/random.js";
import {sampleIndices} from "../src/core/random.js";
import {DEFAULT_SEMANTIC_OPTIONS, semanticClusters} from "../src/core/clusters/semantic.js";
import {
  DEFAULT_SIGNATURE_OPTIONS,
  groupSignatures,
  signatureOf,
  type SignatureInput
} from "../src/core/clusters/signature.js";
import {sparseRow, tfidfVectors, traceTokens} from "../src/core/clusters/tfidf.js";
import {centroidsOf, nearestCentroid} from "../src/core/clusters/assign.js";
import {
  DEFAULT_EVIDENCE_WEIGHTS,
  evidenceTokens,
  wordsAndPhrases,
  type EvidenceWeights,
  type TraceEvidence
} from "../src/core/clusters/evidence.js";
import {shortHash} from "../src/core/clusters/hash.js";
import {ensureDemoWorkspace} from "../loaders/cli/demoCommand.js";
import {draftFailures} from "../loaders/clusters/drafts.js";
import {createChatClient} from "../loaders/judge/chatClient.js";
import {chatCompletion, startFakeOpenAI} from "../loaders/judge/fakeOpenAI.js";
import {DEFAULT_CLUSTER_OPTIONS, runClustering} from "../loaders/clusters/runClustering.js";
import {generateOtlpLine} from "../loaders/formats/otlpSynth.js";
import {ingest} from "../loaders/ingest/ingest.js";
import {
  DEFAULT_EVIDENCE_OPTIONS,
  readTraceEvidence,
  readTraceFacts,
  readTraceTexts
} from "../loaders/store/clusterInputs.js";
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
  /** The ARI at each of those seeds, in order. */
  aris?: number[];
  /** The mean ARI over those five seeds. */
  ariMean?: number;
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

type Lens = "topic" | "evidence" | "drafts";

async function lensTokens(
  connection: DuckDBConnection,
  ids: readonly string[],
  lens: Lens,
  drafts: ReadonlyMap<string, string>,
  weights: EvidenceWeights = DEFAULT_EVIDENCE_WEIGHTS
): Promise<string[][]> {
  if (lens === "topic") {
    const texts = await readTraceTexts(connection, ids);
    return ids.map((id) => traceTokens(texts.get(id)!));
  }
  if (lens === "drafts") return ids.map((id) => wordsAndPhrases(drafts.get(id) ?? ""));
  const evidence = await readTraceEvidence(connection, ids, {...DEFAULT_EVIDENCE_OPTIONS, annotations: false});
  return ids.map((id) => evidenceTokens(evidence.get(id)!, weights));
}

/** ARI against `labels` of the clustering of `tokens` at each seed. */
function seedAris(tokens: readonly string[][], labels: readonly string[], seeds: readonly number[]): number[] {
  const vectors = tfidfVectors(tokens).vectors;
  return seeds.map((s) =>
    adjustedRandIndex(semanticClusters(vectors, tokens, seededRandom(s), DEFAULT_SEMANTIC_OPTIONS).labels, labels)
  );
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The settings the held-out check chooses among: every weight of `EvidenceWeights` at a low and the default value. */
export const WEIGHT_GRID: EvidenceWeights[] = [1, 3].flatMap((agent) =>
  [0, 1].flatMap((team) => [0, 1].map((roleWords) => ({agent, team, roleWords})))
);

/** Which half a trace falls in, by a fixed hash of its id: the same on every run and blind to what it holds. */
export const inEvenHalf = (traceId: string) => parseInt(shortHash(traceId).slice(0, 8), 16) % 2 === 0;

export interface HeldOut {
  dataset: string;
  /** Which half the weights were chosen on: "even" or "odd" hash. */
  tunedOn: "even" | "odd";
  tuning: number;
  heldOut: number;
  /** The weights chosen on the tuning half (best mean ARI over seeds 1–5), and that mean. */
  chosen: EvidenceWeights;
  chosenTuningAri: number;
  /** Mean ARI over seeds 1–5 on the held-out half, and its range: topic, evidence as chosen, evidence as shipped. */
  topic: {mean: number; range: [number, number]};
  evidence: {mean: number; range: [number, number]};
  shipped: {mean: number; range: [number, number]};
}

/**
 * The held-out check: the evidence weights are chosen on one half of the labelled traces and scored on the other,
 * so the figure does not reward a choice fitted to the traces it is measured on. Topic has no weight to choose.
 * Run both ways round (`tunedOn`), so that one lucky split does not stand for the method.
 */
export async function heldOutAgreement(
  connection: DuckDBConnection,
  dataset: string,
  truth: Map<string, string>,
  tunedOn: "even" | "odd"
): Promise<HeldOut> {
  const ids = [...truth.keys()].sort();
  const tuning = ids.filter((id) => inEvenHalf(id) === (tunedOn === "even"));
  const held = ids.filter((id) => inEvenHalf(id) !== (tunedOn === "even"));
  const labelsOf = (xs: readonly string[]) => xs.map((id) => truth.get(id)!);
  const evidence = await readTraceEvidence(connection, ids, {...DEFAULT_EVIDENCE_OPTIONS, annotations: false});
  const tokensOf = (xs: readonly string[], weights: EvidenceWeights) =>
    xs.map((id) => evidenceTokens(evidence.get(id)!, weights));
  const scored = WEIGHT_GRID.map((weights) => ({
    weights,
    ari: mean(seedAris(tokensOf(tuning, weights), labelsOf(tuning), SEEDS))
  }));
  // Ties go to the earlier setting of the grid, so the choice does not depend on the order the seeds ran in.
  const best = scored.reduce((a, b) => (b.ari > a.ari ? b : a));
  const summary = (aris: number[]) => ({
    mean: mean(aris),
    range: [Math.min(...aris), Math.max(...aris)] as [number, number]
  });
  const heldLabels = labelsOf(held);
  return {
    dataset,
    tunedOn,
    tuning: tuning.length,
    heldOut: held.length,
    chosen: best.weights,
    chosenTuningAri: best.ari,
    topic: summary(seedAris(await lensTokens(connection, held, "topic", new Map()), heldLabels, SEEDS)),
    evidence: summary(seedAris(tokensOf(held, best.weights), heldLabels, SEEDS)),
    shipped: summary(seedAris(tokensOf(held, DEFAULT_EVIDENCE_WEIGHTS), heldLabels, SEEDS))
  };
}

const LENS_NAMES: Record<Lens, string> = {
  topic: "topic (user turns, tools, speakers)",
  evidence:
    "evidence (errors, acting agent and speakers at the first failure, final answer and who gave it, team, last agent)",
  drafts: "drafted descriptions (fake server: quotes the evidence's first line)"
};

export async function lensAgreement(
  connection: DuckDBConnection,
  dataset: string,
  truth: Map<string, string>,
  lens: Lens,
  drafts: ReadonlyMap<string, string>,
  seed = 42
): Promise<Agreement> {
  const options = DEFAULT_SEMANTIC_OPTIONS;
  const ids = [...truth.keys()].sort();
  const tokens = await lensTokens(connection, ids, lens, drafts);
  const vectors = tfidfVectors(tokens).vectors;
  const labels = ids.map((id) => truth.get(id)!);
  const result = semanticClusters(vectors, tokens, seededRandom(seed), options);
  const others = seedAris(tokens, labels, SEEDS);
  return {
    dataset,
    method: LENS_NAMES[lens],
    traces: ids.length,
    classes: new Set(labels).size,
    clusters: result.k,
    purity: purity(result.labels, labels),
    baseline: baseline(labels),
    chance: chancePurity(result.labels, labels),
    ari: adjustedRandIndex(result.labels, labels),
    ariRange: [Math.min(...others), Math.max(...others)],
    aris: others,
    ariMean: mean(others)
  };
}

/** Drafts of `ids` from the fake server, through the same drafting code a real endpoint goes through. */
async function fakeDrafts(connection: DuckDBConnection, ids: readonly string[]): Promise<Map<string, string>> {
  const server = await startFakeOpenAI();
  server.respondWith("chat", ({body}) => {
    const evidence = String((body.messages as {content: string}[])[1]!.content).replace(/^Evidence:\n/, "");
    const first = evidence.split("\n")[0]!.replace(/^[a-z ]+: /, "");
    return chatCompletion(JSON.stringify({description: `It went wrong here: ${first}`.slice(0, 300)}));
  });
  try {
    const {drafts} = await draftFailures(connection, ids, {
      client: createChatClient({baseURL: server.baseURL, apiKey: "bench"}),
      model: "fake-drafter",
      concurrency: 8,
      maxCalls: ids.length,
      evidence: {...DEFAULT_EVIDENCE_OPTIONS, annotations: false}
    });
    return drafts;
  } finally {
    await server.close();
  }
}

/** Peak resident memory while `work` runs, sampled every 50 ms (MB). */
async function peakRss<T>(work: () => Promise<T>): Promise<{value: T; peakMb: number}> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return {value, peakMb: peak / 1e6};
  } finally {
    clearInterval(timer);
  }
}

const ERRORS = [
  "order {n} not found in ledger",
  "payment amount does not add up, total price is {n}, but paid {m}",
  "flight {id} not available on date 2024-05-{d}",
  "upstream service timed out after {n} ms",
  "user {id} has no reservation {id}",
  "rate limit exceeded, retry in {n} s",
  "invalid JSON in arguments at position {n}",
  "gift card balance is not enough",
  "permission denied for account {id}",
  "index out of range: {n}"
];
const TOOLS = ["issue_refund", "book_reservation", "search_flights", "lookup_order", "update_address", "calculate"];
const ANSWERS = [
  "Sorry, I could not complete that for you.",
  "Your reservation has been updated.",
  "I have transferred you to a human agent.",
  "The refund has been issued to your card.",
  "I could not find any flights on that date."
];

/** Evidence of `n` synthetic flagged traces: one failing tool with one of ten errors, and a final answer. */
function syntheticEvidence(n: number): TraceEvidence[] {
  const random = seededRandom(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const fill = (t: string) =>
    t
      .replace(/\{n\}/g, () => String(Math.floor(random() * 1e5)))
      .replace(/\{m\}/g, () => String(Math.floor(random() * 1e3)))
      .replace(/\{d\}/g, () => String(10 + Math.floor(random() * 18)))
      .replace(/\{id\}/g, () => `X${Math.floor(random() * 1e6)}`);
  return Array.from({length: n}, () => ({
    errors: [`${pick(TOOLS)}: Error: ${fill(pick(ERRORS))}`],
    actingAgent: null,
    aroundFailure: [],
    finalAnswer: pick(ANSWERS),
    answeredBy: null,
    team: [],
    lastAgent: null,
    annotations: [],
    judgeReasoning: []
  }));
}

/** `n` texts, each one demo trace's evidence tokens followed by up to a third of another's: distinct, and real. */
function distinctEvidence(pool: readonly string[][], n: number): string[][] {
  const random = seededRandom(3);
  const pick = () => pool[Math.floor(random() * pool.length)]!;
  return Array.from({length: n}, () => {
    const [a, b] = [pick(), pick()];
    return [...a, ...b.slice(0, Math.floor((random() * b.length) / 3))];
  });
}

/** Fit on a seeded sample of 2,000, assign the rest to the nearest centroid: the lens as `runClustering` runs it. */
function fitAndAssign(evidence: readonly TraceEvidence[]): number[] {
  const random = seededRandom(42);
  const chosen = sampleIndices(evidence.length, 2000, random);
  const tokens = chosen.map((i) => evidenceTokens(evidence[i]!));
  const fitted = tfidfVectors(tokens);
  const result = semanticClusters(fitted.vectors, tokens, random, DEFAULT_SEMANTIC_OPTIONS);
  const centroids = centroidsOf(fitted.vectors, result.labels, result.k);
  const column = new Map(fitted.vocabulary.map((t, i) => [t, i]));
  return evidence.map((e) => nearestCentroid(sparseRow(evidenceTokens(e), column, fitted.idf), centroids));
}

/** Signature inputs of `n` synthetic traces: most with one failing tool, some with a retrieval miss or feedback. */
function syntheticSignatureInputs(n: number): SignatureInput[] {
  const random = seededRandom(5);
  return Array.from({length: n}, (_, i) => ({
    traceId: `t-${i}`,
    status: i % 3 === 0 ? "error" : "ok",
    failedTools:
      i % 4 === 3
        ? []
        : [
            {
              name: TOOLS[i % TOOLS.length]!,
              error: ERRORS[i % ERRORS.length]!.replace(/\{\w+\}/g, () => String(Math.floor(random() * 1e4)))
            }
          ],
    errorSpans: [],
    retrievalMisses: i % 4 === 3 ? ["kb_search"] : [],
    feedback: i % 5 === 0 ? [{name: "thumbs", label: "down", value: 0}] : []
  }));
}

/**
 * A workspace of `lines` synthetic OTLP lines (ten traces, a hundred spans each) through the real ingest. The file
 * is written in blocks of 500 lines: the 24,100 lines for 100,000 flagged traces are 2.4 GB, more than one string
 * holds. Setting up that one takes minutes (writing and ingesting 2.4 million spans), measured in its own row.
 */
async function syntheticWorkspace(lines: number, distinct: boolean): Promise<{workspace: string; setupMs: number}> {
  const workspace = join(OUT, `ws-cluster-scale-${lines}`);
  const file = join(OUT, `cluster-scale-${lines}.jsonl`);
  rmSync(workspace, {recursive: true, force: true});
  const started = performance.now();
  writeFileSync(file, "");
  for (let start = 0; start < lines; start += 500) {
    const block = Array.from({length: Math.min(500, lines - start)}, (_, i) => generateOtlpLine(start + i));
    appendFileSync(file, block.join("\n") + "\n");
  }
  try {
    await ingest({workspace, paths: [file]}, {log: () => {}, progress: () => {}});
    if (distinct) await makeDistinct(workspace);
  } finally {
    rmSync(file, {force: true});
  }
  return {workspace, setupMs: performance.now() - started};
}

/**
 * Words that make each synthetic trace's text its own: real flagged traces rarely repeat one another word for word,
 * and UMAP projects repeated texts once, so templated traces alone understate the fit.
 */
const WORDS = Array.from({length: 600}, (_, i) =>
  [i % 12, Math.floor(i / 12) % 5, Math.floor(i / 60)]
    .map((d, j) => "bdfgklmnprst"[d]! + "aeiou"[(d + j) % 5]!)
    .join("")
);

/**
 * Appends three words chosen by a hash of the trace and turn to every message. The errors stay as they are: real
 * errors repeat their templates, and the signatures that group them are measured above.
 */
async function makeDistinct(workspace: string): Promise<void> {
  const words = `[${WORDS.map((w) => `'${w}'`).join(",")}]`;
  const pick = (key: string, salt: number) => `${words}[(hash(${key}, ${salt}) % ${WORDS.length})::INTEGER + 1]`;
  const three = (key: string) => [1, 2, 3].map((salt) => pick(key, salt)).join(` || ' ' || `);
  await withConnection(workspace, async (connection) => {
    await connection.run(`UPDATE messages SET content = coalesce(content, '') || ' ' || ${three("trace_id || idx")}`);
  });
}

/** `runClustering` end to end on a synthetic workspace, its steps and peak RSS (of the whole bench process). */
async function endToEnd(
  lines: number,
  timings: Record<string, number>,
  memory: Record<string, number>,
  distinct = false
) {
  const {workspace, setupMs} = await syntheticWorkspace(lines, distinct);
  const scaled = await peakRss(() =>
    withConnection(workspace, (connection) => runClustering(connection, DEFAULT_CLUSTER_OPTIONS))
  );
  const scale = scaled.value;
  const flagged = `${fmt.int(scale.flagged)} flagged`;
  timings[
    `setting up ${fmt.int(scale.traces)} synthetic traces (${fmt.int(lines * 100)} spans): writing and ingesting${distinct ? ", words added" : ""}`
  ] = setupMs;
  const name = `runClustering on ${fmt.int(scale.traces)} synthetic traces${distinct ? ", each text made distinct" : ""}: ${flagged}, fitted on ${fmt.int(scale.semantic?.sample ?? 0)}, the rest assigned`;
  timings[name] = Object.values(scale.timings).reduce((a, b) => a + b, 0);
  memory[name] = scaled.peakMb;
  for (const [step, ms] of Object.entries(scale.timings))
    timings[`  ${step} (${flagged}${distinct ? ", distinct" : ""})`] = ms;
  rmSync(workspace, {recursive: true, force: true});
}

export async function clustersBench(workspace = join(OUT, "ws-demo")): Promise<{
  agreement: Agreement[];
  heldOut: HeldOut[];
  timings: Record<string, number>;
  memory: Record<string, number>;
}> {
  if (existsSync(workspace)) rmSync(workspace, {recursive: true, force: true});
  // The demo workspace as `plumbline demo` builds it: the τ-bench grader's failure modes are imported as labels.
  await ensureDemoWorkspace(workspace, true, () => {});
  const timings: Record<string, number> = {};
  const memory: Record<string, number> = {};
  const heldOut: HeldOut[] = [];
  let demoEvidence: string[][] = [];
  const agreement = await withConnection(workspace, async (connection) => {
    const modes = new Map(
      (
        await connection.runAndReadAll(
          "SELECT trace_id, coalesce(failure_mode, 'pass') FROM ground_truth WHERE trace_id LIKE 'tau-%' AND criterion = 'overall'"
        )
      )
        .getRows()
        .map(([id, mode]) => [String(id), String(mode)])
    );
    const blamed = await labelOf(connection, "mistake_agent");
    const steps = new Map(
      (await connection.runAndReadAll("SELECT trace_id, value FROM feedback WHERE name = 'mistake_step'"))
        .getRows()
        .map(([id, step]) => [String(id), String(step)])
    );
    const hand = new Map([...blamed].filter(([id]) => id.startsWith("ww-hand-")));
    const generated = new Map([...blamed].filter(([id]) => id.startsWith("ww-algo-")));
    const labelled = [...new Set([...modes.keys(), ...blamed.keys()])].sort();
    demoEvidence = await lensTokens(connection, labelled, "evidence", new Map());
    let t = performance.now();
    const drafts = await fakeDrafts(connection, labelled);
    timings[`drafting ${fmt.int(labelled.length)} traces through the fake server (8 calls at once)`] =
      performance.now() - t;
    const out: Agreement[] = [];
    const sets: [string, Map<string, string>][] = [
      ["τ-bench airline: grader's failure mode or pass", modes],
      ["Who&When: blamed agent, all runs", blamed],
      ["Who&When: blamed agent, hand-crafted", hand],
      ["Who&When: blamed agent, algorithm-generated", generated],
      ["Who&When: blamed step, all runs", steps]
    ];
    for (const [dataset, truth] of sets)
      for (const lens of ["topic", "evidence", "drafts"] as const)
        out.push(await lensAgreement(connection, dataset, truth, lens, drafts));
    for (const [dataset, truth] of sets)
      for (const half of ["even", "odd"] as const)
        heldOut.push(await heldOutAgreement(connection, dataset, truth, half));
    // Structure alone: feedback left out of the signature; a trace with no failure cue is its own "no signature" group.
    const facts = (await readTraceFacts(connection)).filter((f) => modes.has(f.traceId));
    const keys = facts.map(
      (f) => signatureOf(f, {...DEFAULT_SIGNATURE_OPTIONS, ignoreFeedback: true})?.key ?? "(no failure cue)"
    );
    const truth = facts.map((f) => modes.get(f.traceId)!);
    out.push({
      dataset: "τ-bench airline: grader's failure mode or pass",
      method: "signature, structure only (no feedback)",
      traces: facts.length,
      classes: new Set(truth).size,
      clusters: new Set(keys).size,
      purity: purity(keys, truth),
      baseline: baseline(truth),
      chance: chancePurity(keys, truth),
      ari: adjustedRandIndex(keys, truth)
    });
    t = performance.now();
    const run = await runClustering(connection, DEFAULT_CLUSTER_OPTIONS);
    timings[`runClustering, demo workspace (${run.traces} traces, ${run.flagged} flagged)`] = performance.now() - t;
    for (const [step, ms] of Object.entries(run.timings)) timings[`  ${step}`] = ms;
    return out;
  });
  // Scale, end to end: synthetic OTLP traces (one tool call in eight failing) until at least 20,000, then at least
  // 100,000, are flagged.
  for (const lines of [4800, 24_100]) await endToEnd(lines, timings, memory);
  await endToEnd(4800, timings, memory, true);
  // The fit alone on 2,000 distinct texts, as real flagged traces are: the synthetic ones above repeat a few
  // templates, which UMAP projects once each. Each text joins two demo traces' evidence.
  const distinct = distinctEvidence(demoEvidence, 2000);
  for (const runs of [1, DEFAULT_SEMANTIC_OPTIONS.runs]) {
    const name = `fit one lens on 2,000 distinct evidence texts (two demo traces' each), ${runs} projection${runs > 1 ? "s, the consensus (default)" : ""}`;
    const t = performance.now();
    const fitted = await peakRss(async () =>
      semanticClusters(tfidfVectors(distinct).vectors, distinct, seededRandom(42), {...DEFAULT_SEMANTIC_OPTIONS, runs})
    );
    timings[name] = performance.now() - t;
    memory[name] = fitted.peakMb;
  }
  // Scale, in memory: 100,000 flagged traces' evidence, fitted on 2,000 and the rest assigned (no store reads).
  const evidence = syntheticEvidence(100_000);
  let t = performance.now();
  const assigned = await peakRss(async () => fitAndAssign(evidence));
  const bigName = `fit on 2,000 and assign 100,000 synthetic evidence texts (in memory, ${new Set(assigned.value).size} clusters)`;
  timings[bigName] = performance.now() - t;
  memory[bigName] = assigned.peakMb;
  // Signatures of 1,000,000 traces (in memory: the SQL read is measured in the end-to-end row above).
  const inputs = syntheticSignatureInputs(1_000_000);
  const held = process.memoryUsage().rss / 1e6;
  t = performance.now();
  const sigs = await peakRss(async () => groupSignatures(inputs).clusters);
  const sigName = `signatures of 1,000,000 synthetic traces, grouped (${fmt.int(sigs.value.length)} clusters; RSS before, inputs held: ${fmt.mb(held)})`;
  timings[sigName] = performance.now() - t;
  memory[sigName] = sigs.peakMb;
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
        "ARI, mean of seeds 1–5",
        "ARI at seeds 1, 2, 3, 4, 5"
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
        a.ariMean === undefined ? "" : a.ariMean.toFixed(3),
        a.aris ? a.aris.map((x) => x.toFixed(3)).join(" ") : "deterministic"
      ])
    ])
  );
  console.log();
  const range = (r: {mean: number; range: [number, number]}) =>
    `${r.mean.toFixed(3)} (${r.range[0].toFixed(3)} to ${r.range[1].toFixed(3)})`;
  console.log(
    table([
      [
        "held out: dataset",
        "tuned on",
        "tuning / held-out traces",
        "weights chosen on the tuning half (agent, team, role words)",
        "tuning ARI",
        "held-out topic",
        "held-out evidence, chosen",
        "held-out evidence, shipped"
      ],
      ...heldOut.map((h) => [
        h.dataset,
        h.tunedOn,
        `${h.tuning} / ${h.heldOut}`,
        `${h.chosen.agent}, ${h.chosen.team}, ${h.chosen.roleWords}`,
        h.chosenTuningAri.toFixed(3),
        range(h.topic),
        range(h.evidence),
        range(h.shipped)
      ])
    ])
  );
  console.log();
  console.log(
    table([
      ["clustering", "time", "peak RSS"],
      ...Object.entries(timings).map(([name, ms]) => [
        name,
        fmt.ms(ms),
        memory[name] === undefined ? "" : fmt.mb(memory[name]!)
      ])
    ])
  );
  return {agreement, heldOut, timings, memory};
}
