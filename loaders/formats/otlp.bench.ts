/**
 * @module Micro-benchmark of the OTLP reader, the ingest hot path: per span, the cost of `JSON.parse` alone and of
 * `JSON.parse` plus `otlpReader.read`, on ~100k synthetic GenAI spans (100 a line) generated in memory.
 * Not a test; run it with `node --import tsx loaders/formats/otlp.bench.ts [spans]`.
 */
import {performance} from "node:perf_hooks";
import {otlpReader} from "./otlp.js";
import {generateOtlpLine} from "./otlpSynth.js";

const SPANS_PER_LINE = 100;
const spans = Number(process.argv[2] ?? 100_000);
const lines = Array.from({length: Math.ceil(spans / SPANS_PER_LINE)}, (_, i) => generateOtlpLine(i, SPANS_PER_LINE));
const bytes = lines.reduce((n, l) => n + l.length, 0);

function parseOnly(): number {
  let n = 0;
  for (const line of lines) n += (JSON.parse(line) as {resourceSpans: unknown[]}).resourceSpans.length;
  return n;
}

function parseAndRead(): number {
  let n = 0;
  for (const [i, line] of lines.entries()) {
    n += otlpReader.read(JSON.parse(line), {file: "bench.jsonl", line: i + 1, ordinal: i, text: line}).spans.length;
  }
  return n;
}

// The message JSON strings the reader must parse a second time (`gen_ai.input.messages` / `.output.messages`).
const messageStrings: string[] = [];
for (const line of lines.slice(0, 100)) {
  for (const m of line.matchAll(
    /"key":"gen_ai\.(?:input|output)\.messages","value":\{"stringValue":("(?:[^"\\]|\\.)*")/g
  )) {
    messageStrings.push(JSON.parse(m[1]!) as string);
  }
}

function nestedParse(): number {
  let n = 0;
  for (let r = 0; r < lines.length / 100; r++)
    for (const text of messageStrings) n += (JSON.parse(text) as unknown[]).length;
  return n;
}

function best(run: () => number, rounds = 5): number {
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return fastest;
}

// One untimed pass each, so both paths are compiled before they are measured.
parseOnly();
const read = parseAndRead();
nestedParse();
const parseMs = best(parseOnly);
const readMs = best(parseAndRead);
const nestedMs = best(nestedParse);
const total = lines.length * SPANS_PER_LINE;
const us = (ms: number) => ((ms * 1000) / total).toFixed(2);
console.log(`${total} spans in ${lines.length} lines, ${(bytes / 1e6).toFixed(1)} MB (read ${read} spans)`);
console.log(`JSON.parse only:          ${us(parseMs)} µs/span`);
console.log(`JSON.parse + otlp read:   ${us(readMs)} µs/span`);
console.log(
  `reader beyond JSON.parse: ${us(readMs - parseMs)} µs/span (${Math.round(total / (readMs / 1000)).toLocaleString("en")} spans/s on one core)`
);
console.log(`  of which the JSON.parse of message attribute strings: ${us(nestedMs)} µs/span`);
