/**
 * @module Writes every trace's detail into one packed file (see `src/core/explore/detail.ts` for the layout).
 *
 * DuckDB builds each trace's JSON record itself, which is several times faster than materializing rows in
 * JavaScript: each row becomes JSON with `to_json`, and a trace's rows are joined in order with `string_agg`.
 * Aggregating lists of structs and serializing those instead wrote the same text in 30 % more time (1M spans:
 * 41.5 s against 28–35 s), most of it spent building the lists. Traces are processed in hash buckets of about
 * ten thousand so that the rows of one bucket, not of the whole workspace, are held in memory at once.
 */
import type {Writable} from "node:stream";
import {gzipSync} from "node:zlib";
import type {DuckDBConnection} from "@duckdb/node-api";
import {Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray} from "apache-arrow";
import {DETAIL_TRAILER_BYTES, encodeDetailTrailer} from "../../src/core/explore/detail.js";
import {endOutput, writeAll} from "../browser/output.js";

/** Attribute objects longer than this (JSON characters) have each long value cut to ATTRIBUTE_VALUE_CHARS. */
const ATTRIBUTES_CHARS = 4096;
const ATTRIBUTE_VALUE_CHARS = 1024;
const TRACES_PER_BUCKET = 10_000;

// Span attributes often repeat the whole prompt (OpenInference `input.value`), which the messages already hold;
// shipping it whole would make a long agent run quadratic in size. Long values are cut, marked with an ellipsis.
const ATTRIBUTES = `CASE WHEN attributes IS NULL OR strlen(attributes::VARCHAR) <= ${ATTRIBUTES_CHARS} THEN attributes
  ELSE (SELECT json_group_object(key, CASE WHEN strlen(value::VARCHAR) <= ${ATTRIBUTE_VALUE_CHARS} THEN value
    ELSE to_json(left(CASE WHEN type = 'VARCHAR' THEN value ->> '$' ELSE value::VARCHAR END, ${ATTRIBUTE_VALUE_CHARS}) || '…')
    END) FROM json_each(attributes)) END`;

const MS = (column: string) => `epoch_us(${column}) / 1000.0`;
// `hash` is a UBIGINT: with the parameters left as integers DuckDB widened every modulo to HUGEINT, 128-bit
// division that took a fifth of this loader's CPU (1M spans: 41.5 s against 54.7 s).
const BUCKET = "hash(trace_id) % $buckets::UBIGINT = $bucket::UBIGINT";

const DETAIL_SQL = `
WITH
sp AS (
  SELECT trace_id, string_agg(to_json({
    spanId: span_id, parentSpanId: parent_span_id, name: name, kind: kind,
    startTime: ${MS("start_time")}, endTime: ${MS("end_time")}, durationMs: duration_ms,
    status: status, statusMessage: status_message, model: model, inputTokens: input_tokens,
    outputTokens: output_tokens, costUsd: cost_usd, attributes: ${ATTRIBUTES}
  })::VARCHAR, ',' ORDER BY start_time NULLS LAST, span_id) AS spans
  FROM spans WHERE ${BUCKET} GROUP BY trace_id),
ms AS (
  SELECT trace_id, string_agg(to_json({spanId: span_id, index: idx, direction: direction, turn: turn, role: role,
    name: name, content: content, toolCallId: tool_call_id})::VARCHAR, ','
    ORDER BY turn, idx, span_id NULLS FIRST, direction) AS messages
  FROM messages WHERE ${BUCKET} GROUP BY trace_id),
tc AS (
  SELECT trace_id, string_agg(to_json({spanId: span_id, callId: call_id, index: idx, name: name,
    arguments: arguments, result: result, success: success, error: error})::VARCHAR, ','
    ORDER BY idx, span_id NULLS FIRST, call_id) AS tool_calls
  FROM tool_calls WHERE ${BUCKET} GROUP BY trace_id),
fb AS (
  SELECT trace_id, string_agg(to_json({spanId: span_id, name: name, value: value, label: label, comment: comment,
    source: source})::VARCHAR, ',' ORDER BY span_id NULLS FIRST, name, source, value, label, comment) AS feedback
  FROM feedback WHERE ${BUCKET} GROUP BY trace_id)
SELECT t.trace_id, concat('{"traceId":', to_json(t.trace_id), ',"spans":[', sp.spans, '],"messages":[', ms.messages,
  '],"toolCalls":[', tc.tool_calls, '],"feedback":[', fb.feedback, ']}') AS record
FROM traces t LEFT JOIN sp USING (trace_id) LEFT JOIN ms USING (trace_id) LEFT JOIN tc USING (trace_id)
  LEFT JOIN fb USING (trace_id)
WHERE ${BUCKET}`;

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
  {gzip = true, tracesPerBucket = TRACES_PER_BUCKET}: {gzip?: boolean; tracesPerBucket?: number} = {}
): Promise<DetailPackStats> {
  const count = await connection.runAndReadAll("SELECT count(*)::INTEGER FROM traces");
  const traces = Number(count.getRows()[0]?.[0] ?? 0);
  const buckets = Math.max(1, Math.ceil(traces / tracesPerBucket));
  const ids: string[] = [];
  const offsets: number[] = [];
  const lengths: number[] = [];
  let offset = 0;
  let jsonBytes = 0;
  for (let bucket = 0; bucket < buckets; ++bucket) {
    // A bucket's records are written in trace-id order, not in the order DuckDB's threads finish them, so the
    // same workspace always gives the same file (a published report diffs clean, and caches keep their copies).
    const packed: {traceId: string; bytes: Uint8Array}[] = [];
    const result = await connection.stream(DETAIL_SQL, {buckets, bucket});
    for (let chunk; (chunk = await result.fetchChunk()) && chunk.rowCount > 0; ) {
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
