/**
 * @module `plumbline ingest`: files and folders of traces into the workspace store.
 *
 * Each file is split into records, each record read by the file's format into staged rows, and the staged rows
 * merged into the store in one transaction at the end. A malformed record is quarantined with its file, line and
 * reason and never stops the rest.
 */
import {mkdirSync, readdirSync, rmSync, statSync, writeFileSync} from "node:fs";
import {availableParallelism} from "node:os";
import {basename, join, resolve} from "node:path";
import type {Format} from "../../src/core/schemas/trace.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {withConnection} from "../store/db.js";
import type {InputFile, MergeCounts} from "./stage.js";
import {convertRecords, emptyTally, type ConvertTally, type Rejected, type RawRecord} from "./convert.js";
import {detectReader, readerFor, UnknownFormatError} from "./formatOf.js";
import {fileMode, lineBlocks, lineOfOffset, readDocument, recordsFromBlock} from "./records.js";
import {SegmentMerger, SEGMENT_BYTES} from "./segmentMerger.js";
import {StagingWriter} from "./stagingWriter.js";
import {WorkerPool, workerScript} from "./workerPool.js";
import type {FormatReader} from "../formats/reader.js";

export interface IngestOptions {
  workspace: string;
  paths: string[];
  /** Overrides detection for every file. */
  format?: Format;
  /** Worker threads for large JSON Lines files; 0 reads everything in this thread. */
  workers?: number;
  /** Files at least this large are read by workers (when there are any). */
  workerThresholdBytes?: number;
  /** Input bytes merged into the store at a time (default SEGMENT_BYTES). */
  segmentBytes?: number;
  /** DuckDB's memory limit during the ingest (default 512MB). */
  memoryLimit?: string;
}

export interface IngestEffects {
  log(line: string): void;
  /** Reports progress over all input bytes; a no-op where nobody watches. */
  progress(doneBytes: number, totalBytes: number, detail: string): void;
  /** Reports how long a step took (reading, each merge step), for `--timings`. */
  timing?(step: string, ms: number): void;
}

export const silentEffects: IngestEffects = {log() {}, progress() {}};

export interface FileSummary {
  path: string;
  format: Format | null;
  records: number;
  ingested: number;
  rejected: number;
  spans: number;
  messages: number;
  /** Why the file was skipped as a whole (unknown format, unreadable). */
  error?: string;
}

export interface IngestSummary {
  files: FileSummary[];
  records: number;
  ingested: number;
  rejected: number;
  spansRead: number;
  added: MergeCounts;
  quarantineFile: string | null;
  rejectedSample: Rejected[];
  durationMs: number;
}

const INPUT_EXTENSIONS = [".json", ".jsonl", ".ndjson"];

/** Input files named by the user: files as given, folders walked for JSON and JSON Lines files. */
export function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry.startsWith(".")) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (INPUT_EXTENSIONS.some((ext) => entry.endsWith(ext))) files.push(path);
    }
  };
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new IngestError(`no such file or folder: ${path}`);
    }
    if (stat.isDirectory()) walk(path);
    else files.push(path);
  }
  return files;
}

export class IngestError extends Error {
  override readonly name = "IngestError";
}

export async function ingest(options: IngestOptions, effects: IngestEffects = silentEffects): Promise<IngestSummary> {
  const files = expandPaths(options.paths);
  if (files.length === 0) throw new IngestError(`no .json, .jsonl or .ndjson files in ${options.paths.join(", ")}`);
  return withConnection(options.workspace, async (connection) => {
    // A merge's working set, not the input, bounds DuckDB's memory: past this it spills to the workspace's temp
    // folder. Each segment's commit checkpoints (DuckDB's default threshold), so that work overlaps the reading of
    // the next segment instead of piling up at the end; the last checkpoint only writes out what is left.
    const memoryLimit = options.memoryLimit ?? "512MB";
    await connection.run(`SET memory_limit = '${memoryLimit}'`);
    // Buffer blocks come from a pool of that size, kept for the instance's life: allocated and freed through the
    // general allocator, every merge faulted its blocks' pages in afresh (1M spans: about 0.8 s less CPU, 50–100 MB
    // more peak memory). The pool goes with the instance when the ingest closes it.
    await connection.run(`SET block_allocator_memory = '${memoryLimit}'`);
    const summary = await ingestFiles(connection, files, options, effects);
    const started = performance.now();
    await connection.run("CHECKPOINT");
    effects.timing?.("checkpoint", performance.now() - started);
    return summary;
  });
}

async function ingestFiles(
  connection: DuckDBConnection,
  files: string[],
  options: IngestOptions,
  effects: IngestEffects
): Promise<IngestSummary> {
  const started = performance.now();
  const totalBytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const stagingDir = join(options.workspace, `.staging-${process.pid}-${Date.now()}`);
  mkdirSync(stagingDir, {recursive: true});
  const workers = options.workers ?? Math.min(availableParallelism(), 4);
  const threshold = options.workerThresholdBytes ?? 16 << 20;
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
  const writer = new StagingWriter(stagingDir, "main");
  let pool: WorkerPool | null = null;
  const summaries: FileSummary[] = [];
  const rejected: Rejected[] = [];
  const inputs: InputFile[] = [];
  const merger = new SegmentMerger(connection, inputs, new Date());
  const threads = Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0] ?? 1);
  let doneBytes = 0;
  let unmergedBytes = 0;
  // Hands what is staged so far to the merger once a segment's worth of input has been read.
  const maybeMerge = async (bytes: number, force = false) => {
    unmergedBytes += bytes;
    if (!force && unmergedBytes < segmentBytes) return;
    unmergedBytes = 0;
    await merger.enqueue([writer.close(), ...(pool ? await pool.rotate() : [])]);
  };
  try {
    for (const [fileIndex, file] of files.entries()) {
      const size = statSync(file).size;
      const summary: FileSummary = {path: file, format: null, records: 0, ingested: 0, rejected: 0, spans: 0, messages: 0};
      summaries.push(summary);
      inputs.push({path: resolve(file), format: "unknown"});
      const tally = emptyTally();
      try {
        const mode = fileMode(file);
        if (mode.mode === "lines") {
          const reader = options.format ? readerFor(options.format) : detectReader(mode.first, basename(file));
          summary.format = inputs[fileIndex]!.format = reader.format;
          if (workers > 0 && size >= threshold) {
            if (!pool) {
              pool = new WorkerPool(workers, stagingDir, await workerScript());
              // While the workers parse, they fill the cores: merges meanwhile run on one DuckDB thread, since more
              // threads would mostly wait for a core and poll for work (about a tenth less CPU in all).
              merger.between("SET threads = 1");
            }
            const results: Promise<ConvertTally>[] = [];
            let fileDone = 0;
            for await (const {block, firstLine} of lineBlocks(file)) {
              const length = block.byteLength;
              const {result} = await pool.submit({format: reader.format, file, fileIndex, block, firstLine});
              results.push(
                result.then((part) => {
                  fileDone += length + 1;
                  effects.progress(doneBytes + Math.min(fileDone, size), totalBytes, basename(file));
                  return part;
                })
              );
              await maybeMerge(length + 1);
            }
            for (const part of await Promise.all(results)) addTally(tally, part);
          } else {
            let fileDone = 0;
            for await (const {block, firstLine} of lineBlocks(file)) {
              convertRecords(reader, recordsFromBlock(block, firstLine), file, fileIndex, writer, tally);
              fileDone += block.byteLength + 1;
              effects.progress(doneBytes + Math.min(fileDone, size), totalBytes, basename(file));
              await maybeMerge(block.byteLength + 1);
            }
          }
        } else {
          const reader = readDocumentFile(file, fileIndex, options.format, writer, tally);
          if (reader) summary.format = inputs[fileIndex]!.format = reader.format;
          await maybeMerge(size);
        }
      } catch (error) {
        if (!(error instanceof UnknownFormatError) && !(error instanceof IngestError)) throw error;
        summary.error = error.message;
        effects.log(`skipped ${file}: ${error.message}`);
      }
      summary.records = tally.records;
      summary.ingested = tally.ingested;
      summary.rejected = tally.rejected.length;
      summary.spans = tally.spans;
      summary.messages = tally.messages;
      rejected.push(...tally.rejected);
      doneBytes += size;
      effects.progress(doneBytes, totalBytes, basename(file));
    }
    // The last segment merges once reading is done, with every core to itself.
    if (pool) merger.between(`SET threads = ${threads}`);
    await maybeMerge(0, true);
    effects.timing?.("read and stage", performance.now() - started);
    effects.progress(totalBytes, totalBytes, "merging into the store…");
    const {added, steps} = await merger.finish();
    for (const [step, ms] of steps) effects.timing?.(`merge: ${step}`, ms);
    const quarantineFile = rejected.length ? writeQuarantine(options.workspace, rejected) : null;
    const sum = (key: "records" | "ingested" | "rejected" | "spans") => summaries.reduce((s, f) => s + f[key], 0);
    return {
      files: summaries,
      records: sum("records"),
      ingested: sum("ingested"),
      rejected: sum("rejected"),
      spansRead: sum("spans"),
      added,
      quarantineFile,
      rejectedSample: rejected.slice(0, 20),
      durationMs: performance.now() - started
    };
  } finally {
    if (pool) await pool.close().catch(() => {});
    writer.close();
    await merger.finish().catch(() => {});
    rmSync(stagingDir, {recursive: true, force: true});
  }
}

/** Reads a file that is one JSON document; returns its reader, or null when the document itself is broken. */
function readDocumentFile(
  file: string,
  fileIndex: number,
  format: Format | undefined,
  writer: StagingWriter,
  tally: ConvertTally
): FormatReader | null {
  let record: RawRecord;
  try {
    record = readDocument(file);
  } catch (error) {
    throw new IngestError((error as Error).message);
  }
  if (record.text === null) {
    tally.records++;
    tally.rejected.push({file, line: 1, reason: "invalid UTF-8", text: record.base64 ?? "", encoding: "base64"});
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(record.text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the offending position, except when the text simply ends too soon: then it is the last line.
    const position = /position (\d+)/.exec(message);
    const line = position
      ? lineOfOffset(record.text, Number(position[1]))
      : /end of JSON input/.test(message)
        ? lineOfOffset(record.text.trimEnd(), record.text.trimEnd().length)
        : 1;
    tally.records++;
    tally.rejected.push({file, line, reason: `invalid JSON: ${message}`, text: record.text, encoding: "utf8"});
    return null;
  }
  const reader = format ? readerFor(format) : detectReader(value, basename(file));
  if (Array.isArray(value) && reader.splitArrays) {
    const elements: RawRecord[] = value.map((element, index) => ({
      text: JSON.stringify(element),
      value: element,
      line: 1,
      ordinal: index,
      element: index
    }));
    convertRecords(reader, elements, file, fileIndex, writer, tally);
  } else {
    convertRecords(reader, [{...record, value}], file, fileIndex, writer, tally);
  }
  return reader;
}

function addTally(into: ConvertTally, part: ConvertTally): void {
  into.records += part.records;
  into.ingested += part.ingested;
  into.spans += part.spans;
  into.messages += part.messages;
  into.rejected.push(...part.rejected);
}

/** Writes every rejected record, whole, to a new file in the workspace's quarantine folder. */
function writeQuarantine(workspace: string, rejected: Rejected[]): string {
  const dir = join(workspace, "quarantine");
  mkdirSync(dir, {recursive: true});
  const path = join(dir, `${new Date().toISOString().replaceAll(":", "-")}-${process.pid}.jsonl`);
  writeFileSync(path, rejected.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}
