/**
 * @module Turns raw records into staged rows: decode, parse, read with the file's format, stamp, write.
 * The same code runs in the ingest process and in its worker threads.
 */
import type {Fragment} from "../../src/core/schemas/trace.js";
import {RecordError, type FormatReader} from "../formats/reader.js";
import type {StagedKind} from "../store/stage.js";
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
    stageFragment(fragment, globalOrdinal(fileIndex, record.ordinal), fileIndex, writer);
    tally.ingested++;
    tally.spans += fragment.spans.length;
    tally.messages += fragment.messages.length;
  }
}

/**
 * Writes a fragment's rows. Every trace the fragment touches gets a source row, so the store knows each trace's
 * format and file even when the format (OTLP) says nothing about traces as a whole.
 */
export function stageFragment(fragment: Fragment, ordinal: number, fileIndex: number, writer: StagingWriter): void {
  const described = new Set<string>();
  for (const info of fragment.traces) {
    described.add(info.traceId);
    writer.write("sources", JSON.stringify({...info, _o: ordinal, _f: fileIndex}));
  }
  const mention = (traceId: string) => {
    if (described.has(traceId)) return;
    described.add(traceId);
    writer.write("sources", `{"_o":${ordinal},"_f":${fileIndex},"traceId":${JSON.stringify(traceId)},"tags":[],"metadata":{}}`);
  };
  const stage = (kind: StagedKind, rows: readonly {traceId: string}[]) => {
    for (const row of rows) {
      mention(row.traceId);
      (row as {_o?: number})._o = ordinal;
      writer.write(kind, JSON.stringify(row));
    }
  };
  stage("spans", fragment.spans);
  stage("messages", fragment.messages);
  stage("toolCalls", fragment.toolCalls);
  stage("feedback", fragment.feedback);
}
