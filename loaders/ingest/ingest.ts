/**
 * @module `plumbline ingest`: files and folders of traces into the workspace store.
 *
 * Each file is split into records, each record read by the file's format into staged rows, and the staged rows
 * merged into the store in one transaction at the end. A malformed record is quarantined with its file, line and
 * reason and never stops the rest.
 */
import {lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync, type Stats} from "node:fs";
import {availableParallelism} from "node:os";
import {basename, join, resolve} from "node:path";
import type {Format} from "../../src/core/schemas/trace.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {PlumblineError} from "../errors.js";
import {
  makeScratchFolder,
  removeAbandonedScratch,
  STAGING_PREFIX,
  WORKSPACE_SCRATCH_PREFIXES
} from "../files/scratch.js";
import {withConnection} from "../store/db.js";
import {limitMergeMemory, type InputFile, type MergeCounts, type SpanConflict} from "./stage.js";
import {convertRecords, emptyTally, type ConvertTally, type Rejected, type RawRecord} from "./convert.js";
import {emptyFlagCounts, FLAG_KINDS, FLAGGED_SAMPLE_PER_KIND, type FlagCounts, type Flagged} from "./flags.js";
import {detectReader, readerFor, UnknownFormatError} from "./formatOf.js";
import {fileMode, isGzip, lineBlocks, lineOfOffset, readDocument, recordsFromBlock} from "./records.js";
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
  /** Ingested records kept with a flag, per kind (see `flags.ts`). */
  flags: FlagCounts;
  /**
   * Why the file was skipped as a whole (unknown format, empty, a broken link), or why it ended early (gzip data
   * that is cut short or corrupt: the records before that point are read and counted).
   */
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
  /** Ingested records kept with a flag, per kind, over all files. */
  flags: FlagCounts;
  /** The first few flagged records of each kind. */
  flaggedSample: Flagged[];
  /** Spans given again with other content: one copy is stored (see `mergeStaged`), the others named here. */
  conflictSample: SpanConflict[];
  durationMs: number;
}

const INPUT_EXTENSIONS = [".json", ".jsonl", ".ndjson"].flatMap((ext) => [ext, `${ext}.gz`]);

/** A path that was named or found but not read, and why. */
export interface SkippedPath {
  path: string;
  reason: string;
  /**
   * A folder reached again through a symbolic link (a loop, or folders linked to each other): its files are read
   * once, so nothing is missing, and it is only logged rather than counted as a skipped file.
   */
  revisit?: true;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function linkProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "a broken symbolic link (its target does not exist)";
  if (code === "ELOOP") return "a symbolic link that loops back to itself";
  if (code === "EACCES" || code === "EPERM") return "not readable (permission denied)";
  return `cannot be read: ${(error as Error).message}`;
}

/**
 * Input files named by the user: files as given, folders walked for JSON and JSON Lines files (gzip-compressed
 * ones too). Symbolic links are followed, but each folder and file is visited once by its real path, so links that
 * loop or point at each other end the walk instead of repeating it. Broken links and unreadable entries are
 * skipped with a reason; a named path that does not exist is an error, since nothing then was meant to be read.
 */
export function expandPaths(paths: string[]): {files: string[]; skipped: SkippedPath[]} {
  const files: string[] = [];
  const skipped: SkippedPath[] = [];
  const seen = new Set<string>();
  const visit = (path: string, stat: Stats, named: boolean) => {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (error) {
      skipped.push({path, reason: linkProblem(error)});
      return;
    }
    if (seen.has(real)) {
      // A file named twice, or reached again through a link, is read once; a folder reached again is a loop.
      if (stat.isDirectory() && !named)
        skipped.push({
          path,
          reason: `the folder ${real} again, through a symbolic link; its files are read once`,
          revisit: true
        });
      return;
    }
    seen.add(real);
    if (!stat.isDirectory()) {
      files.push(path);
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(path).sort();
    } catch (error) {
      skipped.push({path, reason: linkProblem(error)});
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith(".")) continue;
      const child = join(path, entry);
      let childStat: Stats;
      try {
        childStat = statSync(child);
      } catch (error) {
        skipped.push({path: child, reason: linkProblem(error)});
        continue;
      }
      if (childStat.isDirectory() || (childStat.isFile() && INPUT_EXTENSIONS.some((ext) => entry.endsWith(ext)))) {
        visit(child, childStat, false);
      }
    }
  };
  for (const path of paths) {
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && !isLink(path))
        throw new IngestError(`no such file or folder: ${path}`);
      skipped.push({path, reason: linkProblem(error)});
      continue;
    }
    visit(path, stat, true);
  }
  return {files, skipped};
}

export class IngestError extends PlumblineError {
  override readonly name = "IngestError";
}

export async function ingest(options: IngestOptions, effects: IngestEffects = silentEffects): Promise<IngestSummary> {
  const {files, skipped} = expandPaths(options.paths);
  if (files.length === 0) {
    const why = skipped
      .filter((s) => !s.revisit)
      .map((s) => `${s.path}: ${s.reason}`)
      .join("; ");
    throw new IngestError(
      `no .json, .jsonl or .ndjson files (or .gz of them) in ${options.paths.join(", ")}${why ? ` (skipped ${why})` : ""}`
    );
  }
  return withConnection(options.workspace, async (connection) => {
    // A merge's working set, not the input, bounds DuckDB's memory. Each segment's commit checkpoints (DuckDB's
    // default threshold), so that work overlaps the reading of the next segment instead of piling up at the end; the
    // last checkpoint only writes out what is left.
    await limitMergeMemory(connection, options.memoryLimit);
    const summary = await ingestFiles(connection, files, skipped, options, effects);
    const started = performance.now();
    await connection.run("CHECKPOINT");
    effects.timing?.("checkpoint", performance.now() - started);
    return summary;
  });
}

async function ingestFiles(
  connection: DuckDBConnection,
  files: string[],
  skipped: SkippedPath[],
  options: IngestOptions,
  effects: IngestEffects
): Promise<IngestSummary> {
  const started = performance.now();
  const sizes = files.map((file) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  });
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  // What an ingest or detail pack that was killed left behind would otherwise stay for good.
  for (const path of removeAbandonedScratch(options.workspace, WORKSPACE_SCRATCH_PREFIXES)) {
    effects.log(`removed ${path}, left behind by a run that ended without cleaning up`);
  }
  mkdirSync(options.workspace, {recursive: true});
  const stagingDir = makeScratchFolder(options.workspace, STAGING_PREFIX);
  const workers = options.workers ?? Math.min(availableParallelism(), 4);
  const threshold = options.workerThresholdBytes ?? 16 << 20;
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
  const writer = new StagingWriter(stagingDir, "main");
  let pool: WorkerPool | null = null;
  const summaries: FileSummary[] = [];
  const rejected: Rejected[] = [];
  const flagged: Flagged[] = [];
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
    for (const {path, reason, revisit} of skipped) {
      if (revisit) {
        effects.log(`not walked again: ${path}: ${reason}`);
        continue;
      }
      summaries.push({
        path,
        format: null,
        records: 0,
        ingested: 0,
        rejected: 0,
        spans: 0,
        messages: 0,
        flags: emptyFlagCounts(),
        error: reason
      });
      effects.log(`skipped ${path}: ${reason}`);
    }
    for (const [fileIndex, file] of files.entries()) {
      const size = sizes[fileIndex]!;
      const summary: FileSummary = {
        path: file,
        format: null,
        records: 0,
        ingested: 0,
        rejected: 0,
        spans: 0,
        messages: 0,
        flags: emptyFlagCounts()
      };
      summaries.push(summary);
      inputs.push({path: resolve(file), format: "unknown"});
      const tally = emptyTally();
      const partial: Promise<ConvertTally>[] = [];
      try {
        const gzip = isGzip(file);
        const mode = await fileMode(file, gzip);
        if (mode.mode === "empty")
          throw new IngestError(size === 0 ? "the file is empty" : "the file is empty (it holds only whitespace)");
        if (mode.mode === "lines") {
          const reader = options.format ? readerFor(options.format) : detectReader(mode.sample, basename(file));
          const checkShape = !options.format;
          summary.format = inputs[fileIndex]!.format = reader.format;
          if (workers > 0 && size >= threshold) {
            if (!pool) {
              pool = new WorkerPool(workers, stagingDir, await workerScript());
              // While the workers parse, they fill the cores: merges meanwhile run on one DuckDB thread, since more
              // threads would mostly wait for a core and poll for work (about a tenth less CPU in all).
              merger.between("SET threads = 1");
            }
            let fileDone = 0;
            for await (const {block, firstLine} of lineBlocks(file, gzip)) {
              const length = block.byteLength;
              const {result} = await pool.submit({
                format: reader.format,
                file,
                fileIndex,
                block,
                firstLine,
                checkShape
              });
              partial.push(
                result.then((part) => {
                  fileDone += length + 1;
                  effects.progress(doneBytes + Math.min(fileDone, size), totalBytes, basename(file));
                  return part;
                })
              );
              await maybeMerge(length + 1);
            }
          } else {
            let fileDone = 0;
            for await (const {block, firstLine} of lineBlocks(file, gzip)) {
              convertRecords(reader, recordsFromBlock(block, firstLine), file, fileIndex, writer, tally, checkShape);
              fileDone += block.byteLength + 1;
              effects.progress(doneBytes + Math.min(fileDone, size), totalBytes, basename(file));
              await maybeMerge(block.byteLength + 1);
            }
          }
        } else {
          const reader = readDocumentFile(file, gzip, fileIndex, options.format, writer, tally);
          if (reader) summary.format = inputs[fileIndex]!.format = reader.format;
          await maybeMerge(size);
        }
      } catch (error) {
        if (!isInputError(error)) throw error;
        summary.error = inputErrorMessage(error);
        effects.log(`${tally.records || partial.length ? "stopped reading" : "skipped"} ${file}: ${summary.error}`);
      }
      // Blocks handed to workers before a file ended early (corrupt gzip data) still count.
      for (const part of await Promise.all(partial)) addTally(tally, part);
      summary.records = tally.records;
      summary.ingested = tally.ingested;
      summary.rejected = tally.rejected.length;
      summary.spans = tally.spans;
      summary.messages = tally.messages;
      summary.flags = tally.flags;
      rejected.push(...tally.rejected);
      addFlagged(flagged, tally.flagged);
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
    const flags = emptyFlagCounts();
    for (const file of summaries) for (const kind of FLAG_KINDS) flags[kind] += file.flags[kind];
    return {
      files: summaries,
      records: sum("records"),
      ingested: sum("ingested"),
      rejected: sum("rejected"),
      spansRead: sum("spans"),
      added,
      quarantineFile,
      rejectedSample: rejected.slice(0, 20),
      flags,
      flaggedSample: flagged,
      conflictSample: merger.conflictSample,
      durationMs: performance.now() - started
    };
  } finally {
    if (pool) await pool.close().catch(() => {});
    writer.close();
    await merger.finish().catch(() => {});
    rmSync(stagingDir, {recursive: true, force: true});
  }
}

/**
 * Errors that end the reading of one file but not the ingest: an unknown format, an unreadable or empty file, gzip
 * data that is corrupt or cut short (zlib's errors carry a `Z_` code), a file that vanished meanwhile.
 */
function isInputError(error: unknown): error is Error {
  if (error instanceof UnknownFormatError || error instanceof IngestError) return true;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (
    typeof code === "string" && (code.startsWith("Z_") || ["ENOENT", "EACCES", "EPERM", "EISDIR", "EIO"].includes(code))
  );
}

function inputErrorMessage(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "Z_BUF_ERROR")
    return "the gzip data ends early (the file is cut short); the records before that point were read";
  if (code?.startsWith("Z_"))
    return `the gzip data is corrupt (${error.message}); the records before that point were read`;
  return error.message;
}

/** Keeps the first few flagged records of each kind (workers each report their own first few). */
function addFlagged(into: Flagged[], more: Flagged[]): void {
  for (const item of more) {
    if (into.filter((f) => f.flag === item.flag).length < FLAGGED_SAMPLE_PER_KIND) into.push(item);
  }
}

/** Reads a file that is one JSON document; returns its reader, or null when the document itself is broken. */
function readDocumentFile(
  file: string,
  gzip: boolean,
  fileIndex: number,
  format: Format | undefined,
  writer: StagingWriter,
  tally: ConvertTally
): FormatReader | null {
  let record: RawRecord;
  try {
    record = readDocument(file, gzip);
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
  const reader = format ? readerFor(format) : detectReader([value], basename(file));
  if (Array.isArray(value) && reader.splitArrays) {
    const elements: RawRecord[] = value.map((element, index) => ({
      text: elementText(element),
      value: element,
      line: 1,
      ordinal: index,
      element: index
    }));
    convertRecords(reader, elements, file, fileIndex, writer, tally, !format);
  } else {
    convertRecords(reader, [{...record, value}], file, fileIndex, writer, tally, !format);
  }
  return reader;
}

/** An array element's own text (its content hash and its quarantine copy); a value too deep to write has none. */
function elementText(element: unknown): string {
  try {
    return JSON.stringify(element) ?? "null";
  } catch {
    return "";
  }
}

function addTally(into: ConvertTally, part: ConvertTally): void {
  into.records += part.records;
  into.ingested += part.ingested;
  into.spans += part.spans;
  into.messages += part.messages;
  into.rejected.push(...part.rejected);
  for (const kind of FLAG_KINDS) into.flags[kind] += part.flags[kind];
  addFlagged(into.flagged, part.flagged);
}

/** Writes every rejected record, whole, to a new file in the workspace's quarantine folder. */
function writeQuarantine(workspace: string, rejected: Rejected[]): string {
  const dir = join(workspace, "quarantine");
  mkdirSync(dir, {recursive: true});
  const path = join(dir, `${new Date().toISOString().replaceAll(":", "-")}-${process.pid}.jsonl`);
  writeFileSync(path, rejected.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}
