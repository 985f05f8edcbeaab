/**
 * @module Turns raw records into staged rows: decode, parse, read with the file's format, stamp, write.
 * The same code runs in the ingest process and in its worker threads.
 */
import type {Fragment} from "../../src/core/schemas/trace.js";
import {RecordError, type FormatReader} from "../formats/reader.js";
import {MAX_ROW_BYTES, type StagedKind} from "../store/stage.js";
import type {StagingWriter} from "./stagingWriter.js";

/** One raw record: a JSON Lines line, a whole document, or an element of a top-level array. */
export interface RawRecord {
  /** The record's text, or null when its bytes are not valid UTF-8. */
  text: string | null;
  /** The undecodable bytes, base64, when `text` is null. */
  base64?: string;
  line: number;
  ordinal: number;
  /** An already-parsed value (array elements), to spare a second parse. */
  value?: unknown;
  /** Names the element of a top-level array, for error messages. */
  element?: number;
}

export interface Rejected {
  file: string;
  line: number;
  element?: number;
  reason: string;
  text: string;
  encoding: "utf8" | "base64";
}

export interface ConvertTally {
  records: number;
  ingested: number;
  spans: number;
  messages: number;
  rejected: Rejected[];
}

export function emptyTally(): ConvertTally {
  return {records: 0, ingested: 0, spans: 0, messages: 0, rejected: []};
}

/** Record ordinals are unique across the files of one ingest, so "first occurrence wins" is well defined. */
export function globalOrdinal(fileIndex: number, ordinal: number): number {
  return fileIndex * 2 ** 32 + ordinal;
}

export function convertRecords(
  reader: FormatReader,
  records: Iterable<RawRecord>,
  file: string,
  fileIndex: number,
  writer: StagingWriter,
  tally: ConvertTally
): void {
  for (const record of records) {
    tally.records++;
    const reject = (reason: string) => {
      tally.rejected.push({
        file,
        line: record.line,
        ...(record.element === undefined ? {} : {element: record.element}),
        reason,
        text: record.text ?? record.base64 ?? "",
        encoding: record.text === null ? "base64" : "utf8"
      });
    };
    if (record.text === null) {
      reject("invalid UTF-8");
      continue;
    }
    let value = record.value;
    if (value === undefined) {
      try {
        value = JSON.parse(record.text);
      } catch (error) {
        reject(`invalid JSON: ${(error as Error).message}`);
        continue;
      }
    }
    let fragment: Fragment;
    try {
      fragment = reader.read(value, {file, line: record.line, ordinal: record.ordinal, text: record.text});
    } catch (error) {
      if (error instanceof RecordError) reject(error.message);
      else reject(`${reader.format} reader failed: ${(error as Error).message ?? String(error)}`);
      continue;
    }
    try {
      stageFragment(fragment, globalOrdinal(fileIndex, record.ordinal), fileIndex, writer);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      reject(error.message);
      continue;
    }
    tally.ingested++;
    tally.spans += fragment.spans.length;
    tally.messages += fragment.messages.length;
  }
}

/**
 * Writes a fragment's rows. Every trace the fragment touches gets a source row, so the store knows each trace's
 * format and file even when the format (OTLP) says nothing about traces as a whole. Rows are serialized before any
 * is written, so a record with a row too large for the store is rejected whole instead of half staged.
 */
export function stageFragment(fragment: Fragment, ordinal: number, fileIndex: number, writer: StagingWriter): void {
  const kinds: StagedKind[] = [];
  const rows: string[] = [];
  const add = (kind: StagedKind, json: string) => {
    // A UTF-16 unit takes at most three bytes, so only a long row needs its bytes counted.
    if (json.length * 3 > MAX_ROW_BYTES && Buffer.byteLength(json) > MAX_ROW_BYTES) {
      throw new RecordError(`a ${kind} row of ${(Buffer.byteLength(json) / 2 ** 20).toFixed(1)} MiB is larger than the ${MAX_ROW_BYTES / 2 ** 20} MiB a stored row may take`);
    }
    kinds.push(kind);
    rows.push(json);
  };
  const described = new Set<string>();
  for (const info of fragment.traces) {
    described.add(info.traceId);
    add("sources", JSON.stringify({...info, _o: ordinal, _f: fileIndex}));
  }
  const mention = (traceId: string) => {
    if (described.has(traceId)) return;
    described.add(traceId);
    add("sources", `{"_o":${ordinal},"_f":${fileIndex},"traceId":${JSON.stringify(traceId)},"tags":[],"metadata":{}}`);
  };
  const stage = (kind: StagedKind, items: readonly {traceId: string}[]) => {
    for (const item of items) {
      mention(item.traceId);
      (item as {_o?: number})._o = ordinal;
      add(kind, JSON.stringify(item));
    }
  };
  stage("spans", fragment.spans);
  stage("messages", fragment.messages);
  stage("toolCalls", fragment.toolCalls);
  stage("feedback", fragment.feedback);
  for (let i = 0; i < rows.length; i++) writer.write(kinds[i]!, rows[i]!);
}
