/**
 * @module Ingest throughput: `plumbline ingest` on generated OTLP/JSON Lines of GenAI spans (100 spans a line),
 * next to DuckDB's own `read_json` flattening the same file and bare `JSON.parse` of its lines (read the
 * straightforward way, and cut one by one as the ingest cuts them), each in a fresh process of the same run. Two
 * file sizes show whether peak memory grows with the input.
 */
import {createWriteStream, existsSync, mkdirSync, rmSync, statSync} from "node:fs";
import {join, resolve} from "node:path";
import {generateOtlpLine} from "../loaders/formats/otlpSynth.js";
import {fmt, OUT, runNode, table} from "./run.js";

const SPANS_PER_LINE = 100;

export async function generateOtlpFile(path: string, spans: number): Promise<void> {
  if (existsSync(path) && statSync(path).size > 0) return;
  mkdirSync(OUT, {recursive: true});
  const stream = createWriteStream(path);
  const lines = Math.ceil(spans / SPANS_PER_LINE);
  for (let i = 0; i < lines; i++) {
    if (!stream.write(generateOtlpLine(i, SPANS_PER_LINE) + "\n"))
      await new Promise<void>((r) => stream.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve()))
  );
}

const ROUNDS = 3;

type Reader = "jsonParse" | "jsonParseLines" | "duckdb" | "ingest" | "baseline";

/** Lets the machine settle between heavy runs. */
function pause(ms = 3000): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Measured {
  ms: number;
  spans: number;
  peakRssMb: number;
}

/** Times `plumbline ingest` of this checkout, or of another one at `root` (a baseline version). */
async function measureIngest(file: string, workspace: string, root?: string): Promise<Measured> {
  rmSync(workspace, {recursive: true, force: true});
  const {wallMs, result} = await runNode<{spansRead: number; added: {spans: number}; peakRssMb: number}>([
    root ? join(resolve(root), "bin/plumbline.js") : "bin/plumbline.js",
    "ingest",
    "--workspace",
    workspace,
    "--json",
    file
  ]);
  // Every generated span has its own key, so a fresh workspace must store each one it read.
  if (result.added.spans !== result.spansRead) {
    throw new Error(`the ingest read ${result.spansRead} spans of ${file} and stored ${result.added.spans}`);
  }
  return {ms: wallMs, spans: result.spansRead, peakRssMb: result.peakRssMb};
}

/**
 * A baseline's time is its work alone, timed inside its process: its wall time would add the TypeScript loader's
 * and DuckDB's module loading (about 0.4 s), which bare parsing does not need. The ingest's time is its whole
 * process, start-up included, so the ratios lean against the ingest, never for it.
 */
async function measureChild(mode: string, file: string): Promise<Measured> {
  const {result} = await runNode<Measured>(["--import", "tsx", "bench/child.ts", mode, file]);
  return result;
}

export interface IngestFigures {
  spans: number;
  bytes: number;
  ingest: Measured;
  duckdb: Measured;
  jsonParse: Measured;
  /** JSON.parse of lines cut one by one as the ingest cuts them: the lean floor beside the straightforward one. */
  jsonParseLines: Measured;
  small: {spans: number; ingest: Measured};
  /** `plumbline ingest` of another checkout (`--baseline DIR`), timed in the same rounds: a change's cost. */
  baseline?: {root: string; ingest: Measured};
  /** Every run of each reader; the figures above are the fastest. */
  runs: Record<Reader, Measured[]>;
}

/**
 * `baselineRoot` names another checkout of Plumbline (`git worktree add ../base <commit>`, then `npm ci` or a
 * copy of node_modules there): its ingest runs in the same rounds as this one's, so a change's cost is a ratio
 * measured under the same machine state rather than against figures from another day.
 */
export async function ingestBench(spans = 1_000_000, baselineRoot?: string): Promise<IngestFigures> {
  const file = join(OUT, `otlp-${spans}.jsonl`);
  const smallSpans = Math.round(spans / 4);
  const smallFile = join(OUT, `otlp-${smallSpans}.jsonl`);
  console.log(`generating ${fmt.int(spans)} GenAI spans as OTLP/JSON Lines …`);
  await generateOtlpFile(file, spans);
  await generateOtlpFile(smallFile, smallSpans);
  // This machine's speed drifts by tens of percent within minutes (a run right after another heavy one is slower),
  // so each reader runs three times, interleaved with the others and after a pause, and its fastest run counts.
  const runs: Record<Reader, Measured[]> = {jsonParse: [], jsonParseLines: [], duckdb: [], ingest: [], baseline: []};
  // The baseline's first run may build its own command; that run is on the small file and not timed.
  if (baselineRoot) await measureIngest(smallFile, join(OUT, "ws-ingest-baseline"), baselineRoot);
  const order: Reader[] = [
    "jsonParse",
    "ingest",
    "jsonParseLines",
    "duckdb",
    ...(baselineRoot ? (["baseline"] as const) : [])
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const reader of order) {
      await pause();
      runs[reader].push(
        reader === "jsonParse"
          ? await measureChild("json-parse", file)
          : reader === "jsonParseLines"
            ? await measureChild("json-parse-lines", file)
            : reader === "duckdb"
              ? await measureChild("duckdb-read-json", file)
              : reader === "baseline"
                ? await measureIngest(file, join(OUT, "ws-ingest-baseline"), baselineRoot)
                : await measureIngest(file, join(OUT, "ws-ingest"))
      );
    }
  }
  rmSync(join(OUT, "ws-ingest-baseline"), {recursive: true, force: true});
  for (const [reader, measured] of Object.entries(runs)) {
    if (measured.length === 0) continue;
    console.log(`  ${reader}: ${measured.map((m) => fmt.ms(m.ms)).join(", ")}`);
  }
  const fastest = (measured: Measured[]) => measured.reduce((a, b) => (b.ms < a.ms ? b : a));
  const jsonParse = fastest(runs.jsonParse);
  const jsonParseLines = fastest(runs.jsonParseLines);
  const duckdb = fastest(runs.duckdb);
  const ingest = fastest(runs.ingest);
  const baseline = runs.baseline.length ? fastest(runs.baseline) : null;
  await pause();
  const small = await measureIngest(smallFile, join(OUT, "ws-ingest-small"));
  for (const m of [jsonParse, jsonParseLines, duckdb, ingest, ...(baseline ? [baseline] : [])]) {
    if (m.spans !== spans) throw new Error(`expected ${spans} spans, a run saw ${m.spans}`);
  }
  const rate = (m: Measured) => m.spans / (m.ms / 1000);
  console.log(
    table([
      ["", "spans/s", "time", "peak RSS", "ingest ÷ this"],
      ["plumbline ingest", fmt.int(rate(ingest)), fmt.ms(ingest.ms), fmt.mb(ingest.peakRssMb), "1.00×"],
      [
        "DuckDB read_json",
        fmt.int(rate(duckdb)),
        fmt.ms(duckdb.ms),
        fmt.mb(duckdb.peakRssMb),
        fmt.ratio(rate(ingest) / rate(duckdb))
      ],
      [
        "bare JSON.parse",
        fmt.int(rate(jsonParse)),
        fmt.ms(jsonParse.ms),
        fmt.mb(jsonParse.peakRssMb),
        fmt.ratio(rate(ingest) / rate(jsonParse))
      ],
      [
        "JSON.parse, lines cut one by one",
        fmt.int(rate(jsonParseLines)),
        fmt.ms(jsonParseLines.ms),
        fmt.mb(jsonParseLines.peakRssMb),
        fmt.ratio(rate(ingest) / rate(jsonParseLines))
      ],
      [`ingest, ${fmt.int(smallSpans)} spans`, fmt.int(rate(small)), fmt.ms(small.ms), fmt.mb(small.peakRssMb), ""],
      ...(baseline
        ? [
            [
              `baseline ingest (${baselineRoot})`,
              fmt.int(rate(baseline)),
              fmt.ms(baseline.ms),
              fmt.mb(baseline.peakRssMb),
              fmt.ratio(rate(ingest) / rate(baseline))
            ]
          ]
        : [])
    ])
  );
  return {
    spans,
    bytes: statSync(file).size,
    ingest,
    duckdb,
    jsonParse,
    jsonParseLines,
    small: {spans: smallSpans, ingest: small},
    ...(baseline && baselineRoot ? {baseline: {root: baselineRoot, ingest: baseline}} : {}),
    runs
  };
}

export interface MemoryScaling {
  /** One ingest per input size, into a fresh workspace. */
  runs: {spans: number; bytes: number; ms: number; peakRssMb: number}[];
}

/**
 * Peak memory of the ingest as the input grows: one run per size, doubling up to `largest` spans. Memory is meant
 * to be bounded by the segment merged at a time and DuckDB's memory limit, not by the input, so the peak should
 * level off once the input holds a few segments. The inputs are large (about 1 GB a million spans), so this is a
 * section of its own, not part of the default run.
 */
export async function ingestMemoryBench(largest = 4_000_000): Promise<MemoryScaling> {
  const sizes: number[] = [];
  for (let spans = largest; spans >= 250_000; spans /= 2) sizes.unshift(Math.round(spans));
  const runs: MemoryScaling["runs"] = [];
  for (const spans of sizes) {
    const file = join(OUT, `otlp-${spans}.jsonl`);
    console.log(`  ${fmt.int(spans)} spans: generating …`);
    await generateOtlpFile(file, spans);
    await pause();
    const measured = await measureIngest(file, join(OUT, "ws-ingest-memory"));
    if (measured.spans !== spans) throw new Error(`expected ${spans} spans, the ingest saw ${measured.spans}`);
    runs.push({spans, bytes: statSync(file).size, ms: measured.ms, peakRssMb: measured.peakRssMb});
  }
  rmSync(join(OUT, "ws-ingest-memory"), {recursive: true, force: true});
  console.log(
    table([
      ["spans", "input", "time", "spans/s", "peak RSS"],
      ...runs.map((r) => [
        fmt.int(r.spans),
        fmt.mb(r.bytes / 2 ** 20),
        fmt.ms(r.ms),
        fmt.int(r.spans / (r.ms / 1000)),
        fmt.mb(r.peakRssMb)
      ])
    ])
  );
  return {runs};
}
