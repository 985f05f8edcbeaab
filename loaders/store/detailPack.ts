/**
 * @module Writes every trace's detail into one packed file (see `src/core/explore/detail.ts` for the layout).
 *
 * DuckDB builds each trace's JSON record itself, which is several times faster than materializing rows in
 * JavaScript: each row becomes JSON with `to_json`, and a trace's rows are joined in order with `string_agg`.
 * Aggregating lists of structs and serializing those instead wrote the same text in 30 % more time (1M spans:
 * 41.5 s against 28–35 s), most of it spent building the lists.
 *
 * Traces are processed in hash buckets of a few thousand, so that the rows of one bucket, not of the whole
 * workspace, are held in memory at once. Every table is first read once and its serialized rows written out split
 * by bucket (Parquet, in a scratch folder); each bucket then reads its own part only. Filtering the tables by
 * bucket instead read every table once per bucket, which grows with the square of the workspace: 4M spans took
 * 202 s where 1M took 27 s.
 */
import {existsSync, mkdtempSync, rmSync} from "node:fs";
import {DETAIL_PACK_PREFIX, makeScratchFolder, removeAbandonedScratch} from "../files/scratch.js";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {Writable} from "node:stream";
import {gzipSync} from "node:zlib";
import type {DuckDBConnection} from "@duckdb/node-api";
import {Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray} from "apache-arrow";
import {DETAIL_TRAILER_BYTES, encodeDetailTrailer} from "../../src/core/explore/detail.js";
import {endOutput, writeAll} from "../files/loaderOutput.js";
import {sqlString} from "./sqlString.js";
import {tableExists} from "./db.js";

/** Attribute objects longer than this (JSON characters) have each long value cut to ATTRIBUTE_VALUE_CHARS. */
const ATTRIBUTES_CHARS = 4096;
const ATTRIBUTE_VALUE_CHARS = 1024;
/**
 * Traces per bucket. A bucket's query holds its rows and records, and reading its part of the split rows costs
 * little, so small buckets cost next to nothing more (1M spans: 19–22 s at 1,000 or 2,000 traces a bucket, 23–26 s
 * at 5,000, and 2 GB of memory at 20,000).
 */
const TRACES_PER_BUCKET = 2_000;

// Span attributes often repeat the whole prompt (OpenInference `input.value`), which the messages already hold;
// shipping it whole would make a long agent run quadratic in size. Long values are cut, marked with an ellipsis.
// Only long attribute objects go through the cut: DuckDB runs its subquery as a join over every row it is
// written for, which on the 1M-span workspace cost 11 s and 2.3 GB when every span went through it (none was long).
const LONG_ATTRIBUTES = `strlen(attributes::VARCHAR) > ${ATTRIBUTES_CHARS}`;
const CUT_ATTRIBUTES = `(SELECT json_group_object(key, CASE WHEN strlen(value::VARCHAR) <= ${ATTRIBUTE_VALUE_CHARS} THEN value
    ELSE to_json(left(CASE WHEN type = 'VARCHAR' THEN value ->> '$' ELSE value::VARCHAR END, ${ATTRIBUTE_VALUE_CHARS}) || '…')
    END) FROM json_each(attributes))`;

const MS = (column: string) => `epoch_us(${column}) / 1000.0`;

const spanRows = (attributes: string, where: string) => `SELECT trace_id, start_time, span_id, to_json({
    spanId: span_id, parentSpanId: parent_span_id, name: name, kind: kind,
    startTime: ${MS("start_time")}, endTime: ${MS("end_time")}, durationMs: duration_ms,
    status: status, statusMessage: status_message, model: model, inputTokens: input_tokens,
    outputTokens: output_tokens, costUsd: cost_usd, attributes: ${attributes}
  })::VARCHAR AS j FROM spans WHERE ${where}`;

/** Each table's rows as JSON (`j`) beside the columns that order them within a trace (`order`). */
const rowsOf = (feedbackTable: string) => ({
  spans: {
    rows: `${spanRows("attributes", `attributes IS NULL OR NOT ${LONG_ATTRIBUTES}`)}
      UNION ALL ${spanRows(CUT_ATTRIBUTES, LONG_ATTRIBUTES)}`,
    order: "start_time NULLS LAST, span_id"
  },
  messages: {
    rows: `SELECT trace_id, turn, idx, span_id, direction, to_json({spanId: span_id, index: idx, direction: direction,
      turn: turn, role: role, name: name, content: content, toolCallId: tool_call_id})::VARCHAR AS j FROM messages`,
    order: "turn, idx, span_id NULLS FIRST, direction"
  },
  tool_calls: {
    rows: `SELECT trace_id, idx, span_id, call_id, to_json({spanId: span_id, callId: call_id, index: idx, name: name,
      arguments: arguments, result: result, success: success, error: error})::VARCHAR AS j FROM tool_calls`,
    order: "idx, span_id NULLS FIRST, call_id"
  },
  feedback: {
    rows: `SELECT trace_id, span_id, name, source, value, label, comment, to_json({spanId: span_id, name: name,
      value: value, label: label, comment: comment, source: source})::VARCHAR AS j FROM ${feedbackTable}`,
    order: "span_id NULLS FIRST, name, source, value, label, comment"
  },
  traces: {rows: "SELECT trace_id FROM traces"}
});
const ROWS = rowsOf("feedback");
type RowTable = keyof typeof ROWS;

/** One bucket's records, from the rows split out for it; null when the bucket holds no trace. */
function bucketSql(dir: string, bucket: number): string | null {
  const part = (table: RowTable) => {
    const path = join(dir, table, `bucket=${bucket}`);
    return existsSync(path) ? `read_parquet(${sqlString(join(path, "*.parquet"))}, hive_partitioning = false)` : null;
  };
  const traces = part("traces");
  if (traces === null) return null;
  // A table with none of the bucket's rows has no part: its aggregate is an empty relation of the same shape.
  const agg = (table: Exclude<RowTable, "traces">, alias: string) => {
    const rows = part(table);
    return rows === null
      ? `SELECT NULL::VARCHAR AS trace_id, NULL::VARCHAR AS ${alias} WHERE false`
      : `SELECT trace_id, string_agg(j, ',' ORDER BY ${ROWS[table].order}) AS ${alias} FROM ${rows} GROUP BY trace_id`;
  };
  return `
WITH sp AS (${agg("spans", "spans")}), ms AS (${agg("messages", "messages")}),
  tc AS (${agg("tool_calls", "tool_calls")}), fb AS (${agg("feedback", "feedback")})
SELECT t.trace_id, concat('{"traceId":', to_json(t.trace_id), ',"spans":[', sp.spans, '],"messages":[', ms.messages,
  '],"toolCalls":[', tc.tool_calls, '],"feedback":[', fb.feedback, ']}') AS record
FROM ${traces} t LEFT JOIN sp USING (trace_id) LEFT JOIN ms USING (trace_id)
  LEFT JOIN tc USING (trace_id) LEFT JOIN fb USING (trace_id)`;
}

/** A new folder in `scratchDir`, or in the system's temporary folder when that one cannot be written (read-only). */
function scratchFolder(scratchDir: string): string {
  try {
    // Named after this process, so that a later run removes it should this one be killed (see `files/scratch.ts`).
    removeAbandonedScratch(scratchDir, [DETAIL_PACK_PREFIX]);
    return makeScratchFolder(scratchDir, DETAIL_PACK_PREFIX);
  } catch {
    return mkdtempSync(join(tmpdir(), "plumbline-detail-pack-"));
  }
}

export interface DetailPackStats {
  traces: number;
  /** Bytes of JSON before compression. */
  jsonBytes: number;
  /** Bytes written, index and trailer included. */
  fileBytes: number;
}

export async function writeDetailPack(
  connection: DuckDBConnection,
  out: Writable,
  {
    gzip = true,
    tracesPerBucket = TRACES_PER_BUCKET,
    scratchDir = tmpdir()
  }: {
    gzip?: boolean;
    tracesPerBucket?: number;
    /** Where the split rows are written while the pack is built (about an eighth of the records' JSON); removed after. */
    scratchDir?: string;
  } = {}
): Promise<DetailPackStats> {
  const count = await connection.runAndReadAll("SELECT count(*)::INTEGER FROM traces");
  const traces = Number(count.getRows()[0]?.[0] ?? 0);
  const buckets = Math.max(1, Math.ceil(traces / tracesPerBucket));
  const ids: string[] = [];
  const offsets: number[] = [];
  const lengths: number[] = [];
  let offset = 0;
  let jsonBytes = 0;
  const dir = scratchFolder(scratchDir);
  try {
    // Row order within a part carries no meaning (each trace's rows are ordered when they are joined).
    await connection.run("SET preserve_insertion_order = false");
    // Each thread holds a bucket's rows until this many, then writes them out (at DuckDB's default, 524,288, the
    // split of 1M spans took 1.6 GB); and each open file holds a row group until it reaches 4 MB (the COPY below):
    // splitting 4M spans into 200 buckets took 2.3 GB with DuckDB's row groups of 122,880 rows, 0.6 GB with these.
    await connection.run("SET partitioned_write_flush_threshold = 65536");
    // DuckDB's memory limit stays at its default (most of the machine's memory). Under a 512 MB limit the pack of
    // 4M spans peaked at 1.1 GB instead of 2.7 GB in the same time, but a workspace of long transcripts could not be
    // read at all: scanning a vector of 800 KB messages takes one 1 GB buffer, which no limit below that allows.
    // End users' labels join the trace's own feedback (see loaders/store/annotationViews.ts) where the store has the view.
    const rows = rowsOf((await tableExists(connection, "trace_feedback")) ? "trace_feedback" : "feedback");
    for (const table of Object.keys(rows) as RowTable[]) {
      await connection.run(`COPY (SELECT hash(trace_id) % ${buckets}::UBIGINT AS bucket, * FROM (${rows[table].rows}))
        TO ${sqlString(join(dir, table))} (FORMAT parquet, PARTITION_BY (bucket), COMPRESSION zstd, ROW_GROUP_SIZE_BYTES '4MB')`);
    }
    for (let bucket = 0; bucket < buckets; ++bucket) {
      // A bucket's records are written in trace-id order, not in the order DuckDB's threads finish them, so the
      // same workspace always gives the same file (a published report diffs clean, and caches keep their copies).
      const sql = bucketSql(dir, bucket);
      if (sql === null) continue;
      const packed: {traceId: string; bytes: Uint8Array}[] = [];
      const result = await connection.stream(sql);
      for (let chunk; (chunk = await result.fetchChunk()) && chunk.rowCount > 0;) {
        const [traceIds, records] = chunk.getColumns() as [string[], string[]];
        for (let i = 0; i < chunk.rowCount; ++i) {
          const json = Buffer.from(records[i]!, "utf8");
          jsonBytes += json.length;
          // Level 1 keeps most of the gain (transcripts compress 4–9×) at a fraction of the default level's time.
          packed.push({traceId: traceIds[i]!, bytes: gzip ? gzipSync(json, {level: 1}) : json});
        }
      }
      packed.sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
      for (const {traceId, bytes} of packed) {
        ids.push(traceId);
        offsets.push(offset);
        lengths.push(bytes.length);
        offset += bytes.length;
        await writeAll(out, bytes);
      }
    }
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
  const index = tableToIPC(
    new Table({
      trace_id: vectorFromArray(ids, new Utf8()),
      offset: vectorFromArray(offsets, new Float64()),
      length: vectorFromArray(lengths, new Int32())
    })
  );
  await writeAll(out, index);
  await writeAll(out, encodeDetailTrailer({indexOffset: offset, indexLength: index.length, gzip}));
  await endOutput(out);
  return {traces: ids.length, jsonBytes, fileBytes: offset + index.length + DETAIL_TRAILER_BYTES};
}
