/**
 * @module Brings the store up to the intake's write-ahead log (wal.ts), through the same path as `plumbline
 * ingest`: the OTLP/JSON reader, the staging writer and the store merge, so a span received over HTTP becomes the
 * same rows as the same span read from a file, and a span given twice (by trace and span id) is stored once.
 *
 * The conversion runs in the ingest's worker threads when a pool is given (the receiver keeps one), so the
 * receiver's own thread only reads the log, hands out blocks and runs the merge: requests keep being answered
 * while a batch converts. Each batch of a segment is split at line ends into one block per worker.
 *
 * How far each segment has been taken in is kept in `plumbline_meta` (`intake_log`, segment name → byte offset),
 * written after the merge that took the lines in: a stop between the two merges those lines again, which changes
 * nothing. A start therefore catches up from wherever the last one stopped, with no manual step.
 *
 * A segment taken in to its end is deleted once no writer will add to it (its writer has moved to a newer segment
 * or is gone): the log holds what the store does not yet, not everything ever received.
 *
 * The lines of one block are read as one record (ingest/otlpRequests.ts), so the spans of a trace that came in
 * several requests are read together; the merge rebuilds every trace it touches from the store.
 *
 * `onTraces(traceIds)` is called after each catch-up with the ids of the traces it (re)built, for work that follows
 * new traffic (online evaluation, automation rules). It runs after the store's lock is released.
 */
import {closeSync, mkdirSync, openSync, readSync, rmSync, statSync, unlinkSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {makeScratchFolder, processAlive, STAGING_PREFIX} from "../files/scratch.js";
import {emptyTally, type ConvertTally, type Rejected} from "../ingest/convert.js";
import {convertRequests} from "../ingest/otlpRequests.js";
import {recordsFromBlock} from "../ingest/records.js";
import {emptyFiles, mergeStaged, STAGED_KINDS, type StagedFiles} from "../ingest/stage.js";
import {StagingWriter} from "../ingest/stagingWriter.js";
import type {WorkerPool} from "../ingest/workerPool.js";
import {withConnection} from "../store/db.js";
import {intakeDir, isOpenSegment, listSegments} from "./wal.js";

const KEY = "intake_log";
/** Bytes of log taken in per merge: bounds the memory a long catch-up holds (one batch at a time). */
const BATCH_BYTES = 16 << 20;
/** Merges per opening of the store, after which it is released for a while to other writers. */
const MERGES_PER_OPENING = 8;

export type Offsets = Record<string, number>;

async function readOffsets(connection: DuckDBConnection): Promise<Offsets> {
  const value = (
    await connection.runAndReadAll("SELECT value FROM plumbline_meta WHERE key = ?", [KEY])
  ).getRows()[0]?.[0];
  if (typeof value !== "string") return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Offsets) : {};
  } catch {
    return {};
  }
}

async function writeOffsets(connection: DuckDBConnection, offsets: Offsets): Promise<void> {
  await connection.run("DELETE FROM plumbline_meta WHERE key = ?", [KEY]);
  await connection.run("INSERT INTO plumbline_meta VALUES (?, ?)", [KEY, JSON.stringify(offsets)]);
}

/** Worker threads for the conversion, and how many there are. */
export interface CatchUpPool {
  pool: WorkerPool;
  workers: number;
  /** The folder the pool's workers stage into. */
  stagingDir: string;
}

export interface CatchUpOptions {
  workspace: string;
  /** Called with the ids of the traces the catch-up (re)built. */
  onTraces?: (traceIds: string[]) => void;
  /** Called when records the merge path refused were quarantined after their requests were answered. */
  onQuarantine?: (path: string, rejected: number) => void;
  batchBytes?: number;
  pool?: CatchUpPool | null;
}

export interface CatchUpResult {
  /** Bytes of log taken in, per segment name. */
  taken: Record<string, number>;
  spans: number;
  traceIds: string[];
  /** Records the merge refused (a row too large for the store), written to the quarantine folder. */
  rejected: number;
  /** Segments deleted, taken in to their end. */
  deleted: string[];
}

/** Writes records the merge path refused to the workspace's quarantine folder, as `plumbline ingest` does. */
export function quarantine(workspace: string, rejected: readonly Rejected[]): string {
  const dir = join(workspace, "quarantine");
  mkdirSync(dir, {recursive: true});
  const path = join(dir, `${new Date().toISOString().replaceAll(":", "-")}-${process.pid}-intake.jsonl`);
  writeFileSync(path, rejected.map((r) => JSON.stringify(r)).join("\n") + "\n", {flag: "a"});
  return path;
}

/** The bytes of `file` from `offset` up to the last line end within `maxBytes` (at least one whole line). */
function readWholeBlock(file: string, offset: number, maxBytes: number): {block: Buffer; end: number} | null {
  const size = statSync(file).size;
  if (size <= offset) return null;
  const fd = openSync(file, "r");
  try {
    let want = Math.min(size - offset, maxBytes);
    for (;;) {
      const bytes = Buffer.allocUnsafe(want);
      const n = readSync(fd, bytes, 0, want, offset);
      const last = bytes.lastIndexOf(0x0a, n - 1);
      if (last === -1) {
        // One line longer than `maxBytes`: read on until it ends, or stop at an unterminated tail.
        if (offset + n >= size) return null;
        want = Math.min(size - offset, want * 2);
        continue;
      }
      return {block: bytes.subarray(0, last), end: offset + last + 1};
    }
  } finally {
    closeSync(fd);
  }
}

/** Splits a block at line ends into at most `parts` blocks, each with an ArrayBuffer of its own (to transfer). */
function splitBlock(block: Buffer, parts: number): {block: Uint8Array; firstLine: number}[] {
  const out: {block: Uint8Array; firstLine: number}[] = [];
  let start = 0;
  let line = 1;
  for (let i = 1; i <= parts && start < block.length; i++) {
    let end = i === parts ? block.length : block.indexOf(0x0a, Math.floor((block.length * i) / parts));
    if (end === -1) end = block.length;
    const piece = new Uint8Array(block.subarray(start, end));
    out.push({block: piece, firstLine: line});
    for (let at = piece.indexOf(0x0a); at !== -1; at = piece.indexOf(0x0a, at + 1)) line++;
    line++;
    start = end + 1;
  }
  return out;
}

/** A segment's writer: `<started>-<pid>-<sequence>.otlp.jsonl`. */
function writerPid(name: string): number | null {
  const pid = /^\d+-(\d+)-/.exec(name)?.[1];
  return pid === undefined ? null : Number(pid);
}

function combine(parts: StagedFiles[]): StagedFiles {
  const merged = emptyFiles();
  for (const part of parts) for (const kind of STAGED_KINDS) merged[kind].push(...part[kind]);
  return merged;
}

/** Takes in every whole line the log holds past the remembered offsets; resolves once the store has them. */
export async function catchUp(options: CatchUpOptions): Promise<CatchUpResult> {
  const {workspace, pool} = options;
  const batchBytes = options.batchBytes ?? BATCH_BYTES;
  const result: CatchUpResult = {taken: {}, spans: 0, traceIds: [], rejected: 0, deleted: []};
  const segments = listSegments(workspace);
  if (!segments.length) return result;
  const built = new Set<string>();
  // Converts one segment's batch into staged files: in the pool's workers, or here without one.
  const convert = async (
    file: string,
    block: Buffer
  ): Promise<{tally: ConvertTally; staged: StagedFiles; dir?: string}> => {
    const tally = emptyTally();
    if (!pool) {
      const dir = makeScratchFolder(workspace, STAGING_PREFIX);
      const writer = new StagingWriter(dir, "intake");
      convertRequests(recordsFromBlock(block, 1), file, 0, writer, tally);
      return {tally, staged: writer.close(), dir};
    }
    const results: Promise<ConvertTally>[] = [];
    for (const part of splitBlock(block, pool.workers)) {
      const {result} = await pool.pool.submit({
        format: "otlp",
        file,
        fileIndex: 0,
        block: part.block,
        firstLine: part.firstLine,
        checkShape: false,
        requests: true
      });
      results.push(result);
    }
    for (const part of await Promise.all(results)) {
      tally.spans += part.spans;
      tally.rejected.push(...part.rejected);
      for (const id of part.traceIds ?? []) (tally.traceIds ??= []).push(id);
    }
    return {tally, staged: combine(await pool.pool.rotate())};
  };
  for (let more = true; more;) {
    more = await withConnection(workspace, async (connection) => {
      const offsets = await readOffsets(connection);
      let merges = 0;
      for (const name of segments) {
        const file = join(intakeDir(workspace), name);
        for (;;) {
          if (merges >= MERGES_PER_OPENING) return checkpointed(connection, true);
          const from = offsets[name] ?? 0;
          const read = readWholeBlock(file, from, batchBytes);
          if (!read) break;
          const {tally, staged, dir} = await convert(file, read.block);
          for (const id of tally.traceIds ?? []) built.add(id);
          try {
            if (tally.rejected.length) {
              const path = quarantine(workspace, tally.rejected);
              result.rejected += tally.rejected.length;
              options.onQuarantine?.(path, tally.rejected.length);
            }
            await mergeStaged(connection, staged, [{path: file, format: "otlp"}], new Date());
          } finally {
            for (const kind of STAGED_KINDS) for (const f of staged[kind]) rmSync(f, {force: true});
            if (dir) rmSync(dir, {recursive: true, force: true});
          }
          result.spans += tally.spans;
          offsets[name] = read.end;
          await writeOffsets(connection, offsets);
          result.taken[name] = (result.taken[name] ?? 0) + (read.end - from);
          merges++;
        }
      }
      await dropFinished(workspace, segments, offsets, connection, result);
      return merges ? checkpointed(connection, false) : false;
    });
  }
  if (built.size) {
    result.traceIds = [...built];
    options.onTraces?.(result.traceIds);
  }
  return result;
}

/**
 * Checkpoints the store before it is closed: DuckDB would do it in the close, which blocks the thread that answers
 * requests (`closeSync`), whereas a `CHECKPOINT` statement runs on DuckDB's own threads.
 */
async function checkpointed<T>(connection: DuckDBConnection, value: T): Promise<T> {
  await connection.run("CHECKPOINT");
  return value;
}

/**
 * Deletes the segments taken in to their last whole line that no writer will add to: this process's earlier
 * segments, and those of a process that is gone (whose torn last line, if any, was never acknowledged). Each file
 * goes before its offset, so a stop between the two leaves an offset for a missing file, which is dropped later.
 */
async function dropFinished(
  workspace: string,
  segments: readonly string[],
  offsets: Offsets,
  connection: DuckDBConnection,
  result: CatchUpResult
): Promise<void> {
  const present = new Set(segments);
  let changed = false;
  for (const name of Object.keys(offsets)) {
    if (present.has(name)) continue;
    delete offsets[name];
    changed = true;
  }
  for (const name of segments) {
    const file = join(intakeDir(workspace), name);
    if (isOpenSegment(file)) continue;
    const pid = writerPid(name);
    if (pid === null || (pid !== process.pid && processAlive(pid))) continue;
    // Nothing whole is left past the offset (readWholeBlock found none): what remains is a torn tail or nothing.
    if (readWholeBlock(file, offsets[name] ?? 0, 1 << 20)) continue;
    unlinkSync(file);
    delete offsets[name];
    changed = true;
    result.deleted.push(name);
  }
  if (changed) await writeOffsets(connection, offsets);
}
