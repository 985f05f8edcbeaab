/**
 * @module The offline embedding: TF-IDF over a trace's user turns, the tools it called and the agents that spoke.
 * Needs no network and no model; the vectors are L2-normalised, so Euclidean distance between them ranks
 * neighbours exactly as cosine similarity does.
 */

const STOPWORDS = new Set(
  (
    "a about above after again all also am an and any are as at be because been before being below between both but by can " +
    "could did do does doing down during each few for from further had has have having he her here hers him his how i if in " +
    "into is it its itself just me more most my no nor not now of off on once only or other our out over own same she should " +
    "so some such than that the their them then there these they this those through to too under until up very was we were " +
    "what when where which while who whom why will with would you your yours yes okay ok please thank thanks hi hello sure " +
    "let like want need get got one two also well would i'm i'd i'll it's don't can't"
  ).split(" ")
);

/** Lower-case words of three letters or more, without stopwords or numbers. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}][\p{L}'_-]{2,}/gu)) {
    const word = match[0].replace(/['_-]+$/, "");
    if (word.length >= 3 && !STOPWORDS.has(word)) out.push(word);
  }
  return out;
}

export interface TraceText {
  userTurns: readonly string[];
  tools: readonly string[];
  speakers: readonly string[];
}

/** The tokens of one trace: words of its user turns, then `tool:<name>` and `agent:<name>` tokens. */
export function traceTokens(trace: TraceText): string[] {
  return [
    ...trace.userTurns.flatMap(tokenize),
    ...trace.tools.map((name) => `tool:${name}`),
    ...trace.speakers.map((name) => `agent:${name}`)
  ];
}

/** The text that stands for a trace when an embedding model reads it (and the key of its cached vector). */
export function traceEmbeddingText(trace: TraceText, maxChars = 4000): string {
  const text = [
    ...trace.userTurns.map((turn) => `user: ${turn}`),
    trace.tools.length ? `tools: ${trace.tools.join(" → ")}` : "",
    trace.speakers.length ? `agents: ${trace.speakers.join(", ")}` : ""
  ]
    .filter(Boolean)
    .join("\n");
  return text.length > maxChars ? text.slice(0, maxChars) : text;
}

export interface TfidfOptions {
  /** Keep at most this many terms, the most frequent across documents. */
  maxFeatures: number;
  /** Drop terms found in fewer documents than this. */
  minDf: number;
}

export interface TfidfModel {
  vocabulary: string[];
  /** The inverse document frequency of each vocabulary term, to weigh documents the model was not fitted on. */
  idf: number[];
  vectors: number[][];
}

/** Sublinear TF × smoothed IDF (as scikit-learn computes it), each row L2-normalised; an empty row stays zero. */
export function tfidfVectors(
  documents: readonly (readonly string[])[],
  options: TfidfOptions = {maxFeatures: 1500, minDf: 2}
): TfidfModel {
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  const vocabulary = [...df.entries()]
    .filter(([, count]) => count >= Math.min(options.minDf, documents.length))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxFeatures)
    .map(([term]) => term)
    .sort();
  const column = new Map(vocabulary.map((term, i) => [term, i]));
  const n = documents.length;
  const idf = vocabulary.map((term) => Math.log((1 + n) / (1 + df.get(term)!)) + 1);
  const vectors = documents.map((doc) => {
    const counts = new Map<number, number>();
    for (const term of doc) {
      const j = column.get(term);
      if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    const row = new Array<number>(vocabulary.length).fill(0);
    for (const [j, count] of counts) row[j] = (1 + Math.log(count)) * idf[j]!;
    let norm = 0;
    for (const j of counts.keys()) norm += row[j]! * row[j]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (const j of counts.keys()) row[j] = row[j]! / norm;
    return row;
  });
  return {vocabulary, idf, vectors};
}

/** A row of a TF-IDF model as its non-zero columns, for assigning traces the model was not fitted on. */
export interface SparseRow {
  columns: number[];
  values: number[];
}

/** One document as a sparse, L2-normalised row of a fitted model (`column`: term → index). */
export function sparseRow(
  doc: readonly string[],
  column: ReadonlyMap<string, number>,
  idf: readonly number[]
): SparseRow {
  const counts = new Map<number, number>();
  for (const term of doc) {
    const j = column.get(term);
    if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
  }
  const columns = [...counts.keys()];
  const values = columns.map((j) => (1 + Math.log(counts.get(j)!)) * idf[j]!);
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  return {columns, values: norm > 0 ? values.map((v) => v / norm) : values};
}
