/**
 * @module Appends staged rows for one writer: the in-process pipeline or a worker.
 *
 * Spans, messages and tool calls (nearly all the volume) go to Parquet files, encoded column by column straight
 * from the rows: no JSON text is built in JavaScript and none is parsed again in DuckDB. Trace sources and
 * feedback, a few rows per record with nested values (tags, metadata), go to JSON Lines, each row encoded into a
 * fixed buffer written out when full. Memory stays bounded whatever the input size.
 */
import {closeSync, openSync} from "node:fs";
import {join} from "node:path";
import type {Message, Span, ToolCall} from "../../src/core/schemas/trace.js";
import {emptyFiles, type JsonStagedKind, type ParquetStagedKind, type StagedFiles, STAGED_COLUMNS} from "./stage.js";
import {writeAll} from "../files/writeAll.js";
import {ParquetWriter} from "./parquetWriter.js";

const BUFFER_BYTES = 1 << 22;

interface Sink {
  fd: number;
  buffer: Buffer;
  used: number;
}

export class StagingWriter {
  private readonly sinks = new Map<JsonStagedKind, Sink>();
  private readonly tables = new Map<ParquetStagedKind, ParquetWriter>();
  private files: StagedFiles = emptyFiles();
  private generation = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string
  ) {}

  private path(kind: keyof StagedFiles, extension: string): string {
    const path = join(this.dir, `${this.name}.${this.generation}.${kind}.${extension}`);
    this.files[kind].push(path);
    return path;
  }

  private sink(kind: JsonStagedKind): Sink {
    let sink = this.sinks.get(kind);
    if (!sink) {
      sink = {fd: openSync(this.path(kind, "jsonl"), "w"), buffer: Buffer.allocUnsafe(BUFFER_BYTES), used: 0};
      this.sinks.set(kind, sink);
    }
    return sink;
  }

  private table(kind: ParquetStagedKind): ParquetWriter {
    let table = this.tables.get(kind);
    if (!table) {
      table = new ParquetWriter(this.path(kind, "parquet"), STAGED_COLUMNS[kind]);
      this.tables.set(kind, table);
    }
    return table;
  }

  /** Appends one JSON row (trace sources, feedback). */
  write(kind: JsonStagedKind, json: string): void {
    const sink = this.sink(kind);
    // UTF-8 takes at most three bytes per UTF-16 unit; a row that might not fit goes out after the buffer.
    const worst = json.length * 3 + 1;
    if (sink.used + worst > sink.buffer.length) {
      this.flush(sink);
      if (worst > sink.buffer.length) {
        writeAll(sink.fd, Buffer.from(json + "\n", "utf8"));
        return;
      }
    }
    sink.used += sink.buffer.write(json, sink.used);
    sink.buffer[sink.used++] = 10;
  }

  // The column order below is STAGED_COLUMNS' order.

  /** Appends a span, its attributes already serialized (the stager sizes rows before writing any). */
  span(span: Span, attributes: string | undefined): void {
    const t = this.table("spans");
    t.string(0, span.traceId);
    t.string(1, span.spanId);
    t.string(2, span.parentSpanId);
    t.string(3, span.name);
    t.string(4, span.kind);
    t.double(5, span.startTime);
    t.double(6, span.endTime);
    t.string(7, span.status);
    t.string(8, span.statusMessage);
    t.string(9, span.model);
    t.double(10, span.inputTokens);
    t.double(11, span.outputTokens);
    t.double(12, span.costUsd);
    t.string(13, attributes);
    t.endRow();
  }

  message(message: Message): void {
    const t = this.table("messages");
    t.string(0, message.traceId);
    t.string(1, message.spanId);
    t.int32(2, message.index);
    t.string(3, message.direction);
    t.int32(4, message.turn);
    t.string(5, message.role);
    t.string(6, message.name);
    t.string(7, message.content);
    t.string(8, message.toolCallId);
    t.endRow();
  }

  toolCall(call: ToolCall): void {
    const t = this.table("toolCalls");
    t.string(0, call.traceId);
    t.string(1, call.spanId);
    t.string(2, call.callId);
    t.int32(3, call.index);
    t.string(4, call.name);
    t.string(5, call.arguments);
    t.string(6, call.result);
    t.boolean(7, call.success);
    t.string(8, call.error);
    t.endRow();
  }

  /** Ends a record's rows: its strings are encoded while still young, so the garbage collector never moves them. */
  endRecord(): void {
    for (const table of this.tables.values()) table.encodeBatches();
  }

  private flush(sink: Sink): void {
    writeAll(sink.fd, sink.buffer.subarray(0, sink.used));
    sink.used = 0;
  }

  /**
   * Writes out every buffer, closes the files and returns them; later rows go to new files, so the closed ones can
   * be merged into the store while staging goes on.
   */
  close(): StagedFiles {
    for (const sink of this.sinks.values()) {
      this.flush(sink);
      closeSync(sink.fd);
    }
    for (const table of this.tables.values()) table.close();
    this.sinks.clear();
    this.tables.clear();
    const files = this.files;
    this.files = emptyFiles();
    this.generation++;
    return files;
  }
}
