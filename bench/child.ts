/**
 * @module One measured job in a fresh process, so that each figure has its own clean peak memory.
 * Usage: node --import tsx bench/child.ts <json-parse|json-parse-lines|duckdb-read-json> <file>
 * Prints one JSON object: {ms, spans, peakRssMb}.
 */
import {rmSync} from "node:fs";
import {DuckDBInstance} from "@duckdb/node-api";
import {lineBlocks, recordsFromBlock} from "../loaders/ingest/records.js";

const [mode, file] = process.argv.slice(2);
if (!mode || !file) throw new Error("usage: child.ts <json-parse|json-parse-lines|duckdb-read-json> <file>");

type Request = {resourceSpans: {scopeSpans: {spans: unknown[]}[]}[]};

function countSpans(request: Request): number {
  let spans = 0;
  for (const resource of request.resourceSpans) for (const scope of resource.scopeSpans) spans += scope.spans.length;
  return spans;
}

/** The straightforward way: each block of lines decoded whole, split at newlines, each line parsed. */
async function jsonParse(path: string): Promise<number> {
  const decoder = new TextDecoder();
  let spans = 0;
  for await (const {block} of lineBlocks(path)) {
    for (const line of decoder.decode(block).split("\n")) {
      if (!line) continue;
      spans += countSpans(JSON.parse(line) as Request);
    }
  }
  return spans;
}

/** The lean floor: lines cut and decoded one by one, as the ingest's workers cut them, then parsed. */
async function jsonParseLines(path: string): Promise<number> {
  let spans = 0;
  for await (const {block, firstLine} of lineBlocks(path)) {
    for (const record of recordsFromBlock(block, firstLine)) spans += countSpans(JSON.parse(record.text!) as Request);
  }
  return spans;
}

/** DuckDB's own JSON reader flattening the same OTLP lines into a spans table, as a user of DuckDB alone would. */
async function duckdbReadJson(path: string): Promise<number> {
  const db = `${path}.baseline.duckdb`;
  rmSync(db, {force: true});
  const instance = await DuckDBInstance.create(db);
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE spans AS
      SELECT s.traceId AS trace_id, s.spanId AS span_id, s.parentSpanId AS parent_span_id, s.name, s.kind,
        s.startTimeUnixNano AS start_ns, s.endTimeUnixNano AS end_ns, s.status, s.attributes
      FROM (SELECT unnest(scope.spans) AS s FROM (
        SELECT unnest(resource.scopeSpans) AS scope FROM (
          SELECT unnest(resourceSpans) AS resource
          FROM read_json('${path.replaceAll("'", "''")}', format = 'newline_delimited', maximum_object_size = 268435456))))`);
    const result = await connection.runAndReadAll("SELECT count(*) FROM spans");
    return Number(result.getRows()[0]![0]);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(db, {force: true});
    rmSync(`${db}.wal`, {force: true});
  }
}

const started = performance.now();
const spans =
  mode === "json-parse"
    ? await jsonParse(file)
    : mode === "json-parse-lines"
      ? await jsonParseLines(file)
      : await duckdbReadJson(file);
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ms, spans, peakRssMb: process.resourceUsage().maxRSS / 1024}) + "\n");
