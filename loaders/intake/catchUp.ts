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
 * While requests keep coming (`waitForMore`, given by the receiver), one opening of the store takes in pass after
 * pass for as long as nobody else wants the store (store/db.ts `storeWanted`): an opening and its checkpoint cost
 * more than the merge of a few thousand spans, so a store opened per pass spent more on that than on the spans, and
 * over ten minutes openings of at most 5 s cost a fifth of the intake's throughput against 60 s ones. Another
 * process that asks for the store (a page's data loader, a command) gets it after the merge under way; an open
 * queued in this process (the annotation mirror, online evaluation) after at most `holdMs`.
 *
 * `onTraces(traceIds)` is called after each pass with the ids of the traces it (re)built, for work that follows
 * new traffic (online evaluation, automation rules). The store may still be held then: work on it in this process
 * waits for the opening to end (store/db.ts opens one instance per file at a time).
 */
import {mkdirSync, rmSync, writeFileSync} from "node:fs";
import {open, unlink} from "node:fs/promises";
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {makeScratchFolder, processAlive, STAGING_PREFIX} from "../files/scratch.js";
import {emptyTally, type ConvertTally, type Rejected} from "../ingest/convert.js";
import {convertRequests} from "../ingest/otlpRequests.js";
import {recordsFromBlock} from "../ingest/records.js";
import {emptyFiles, limitMergeMemory, mergeStaged, STAGED_KINDS, type StagedFiles} from "../ingest/stage.js";
import {StagingWriter} from "../ingest/stagingWriter.js";
import type {WorkerPool} from "../ingest/workerPool.js";
import {storeWanted, withConnection} from "../store/db.js";
import {intakeDir, isOpenSegment, listSegments} from "./wal.js";

const KEY = "intake_log";
/**
 * Bytes of log taken in per merge, at most and, while the log keeps growing, at least. A merge has a cost of its own
 * (its commit, the traces it rebuilds), and DuckDB writes the full row groups (122,880 rows) of a large insert
 * straight to the file as it goes (its optimistic writer), not through its own log and again at the checkpoint: the
 * catch-up alone took 23.6 µs of CPU a span in 128 MiB batches and 18.4 in 1 GiB ones (the file ingest: 17.5).
 * With batches of whatever the log held as the merge before ended (64,000 spans on average, bounded by 64 MiB
 * segments), the receiver ran at 50-55 % of the file ingest's spans/s; following the log to at least 256 MiB,
 * 58-62 %.
 *
 * A batch follows the log for the least size only while the log grows by `FOLLOW_MIN_RATE` bytes a second or more
 * (about 16,000 spans) and has not stopped for `FOLLOW_QUIET_MS`: where the merges' own cost matters. Otherwise it
 * merges what it has, so spans arriving at a modest rate show in the store within a fraction of a second. The memory
 * is bounded by the parts in the workers' queues, not by this.
 */
const BATCH_BYTES = 512 << 20;
const MIN_BATCH_BYTES = 256 << 20;
const FOLLOW_MIN_RATE = 16 << 20;
const FOLLOW_QUIET_MS = 100;
/** The longest a batch follows the log for `MIN_BATCH_BYTES`, from the start of the merge before it. */
const FOLLOW_MAX_MS = 5000;
/**
 * Bytes of log per worker task: a worker holds a task's text and objects at once, and many small tasks keep that
 * young for the garbage collector (a whole batch per worker cost it twice the file ingest's time).
 */
const PART_BYTES = 4 << 20;
/** How often a batch that follows the log while a merge runs looks for more lines. */
const FOLLOW_POLL_MS = 25;
/**
 * How long one opening of the store may last while requests keep coming: while another open in this process waits
 * for it, and at all. The longest hold is for a process that cannot ask for the store (one that may not write in
 * the workspace): it gets the store when the hold ends, for `RELEASE_MS`.
 */
const HOLD_MS = 5000;
const MAX_HOLD_MS = 60_000;
/** How long the store is left to other processes after an opening they may want, longer than their retries' gap. */
const RELEASE_MS = 600;
/**
 * DuckDB checkpoints a commit past this much of its own log. Past its default (16 MB) every merge of 50,000 spans
 * paid for a checkpoint of its own. This one is above what a merge adds, and bounds what the checkpoint that ends an
 * opening has to write, so an opening asked for ends within seconds: that log grew 45-90 MB a second of traffic,
 * and a checkpoint of 87 MB of it took 0.3-1.6 s. At 1 GB, the most a minute's hold could leave would take longer
 * than another process waits for the store.
 */
const CHECKPOINT_THRESHOLD = "256MB";

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
  /**
   * Asked once the log is taken in to its end: resolves true when more was logged since (the store is kept open for
   * it, up to `holdMs`), false after a pause in the traffic (the store is checkpointed and released).
   */
  waitForMore?: () => Promise<boolean>;
  /** The longest opening while another open of the store in this process waits (default 5 s). */
  holdMs?: number;
  /** The longest opening while nobody asks for the store (default 60 s). */
  maxHoldMs?: number;
  /** Called after each merge with the bytes of log it took in, while the store may still be held. */
  onMerged?: (bytes: number) => void;
}

export interface CatchUpResult {
  /** Bytes of log taken in, per segment name. */
  taken: Record<string, number>;
  spans: number;
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

/** A piece of a batch of log lines, in a buffer of its own, so it goes to a worker without a copy. */
interface Part {
  block: Uint8Array;
  /** Its first line's number within the batch. */
  firstLine: number;
  /** The offset in the segment just past its last line. */
  end: number;
}

/**
 * Whether a batch that has caught up with the log's writer goes on following it, given the bytes it holds and how
 * long the log has not grown.
 */
type Follow = (bytes: number, quietMs: number) => boolean;

/**
 * The whole lines of `file` from `offset`, up to about `maxBytes`, read off the thread's event loop in parts of
 * about `partBytes` (a line longer than that is a part of its own), ending before an unterminated tail. Reading a
 * batch into one buffer and copying it into parts kept the thread from answering requests for up to 600 ms.
 */
async function* readParts(
  file: string,
  offset: number,
  maxBytes: number,
  partBytes: number,
  follow: Follow = () => false
): AsyncGenerator<Part> {
  const handle = await open(file, "r");
  try {
    let size = (await handle.stat()).size;
    // Since when the reader has found no more lines (null while it finds some).
    let idleSince: number | null = null;
    let at = offset;
    let line = 1;
    // Caught up with the writer: while `follow` holds, what it appends meanwhile joins this batch (which is never
    // empty: a batch starts only where the log has a whole line). False when the batch ends here.
    const waited = async (): Promise<boolean> => {
      idleSince ??= performance.now();
      if (at === offset || !follow(at - offset, performance.now() - idleSince)) return false;
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      const before = size;
      size = (await handle.stat()).size;
      if (size > before) idleSince = null;
      return true;
    };
    for (;;) {
      if (at - offset >= maxBytes) break;
      if (at >= size) {
        if (!(await waited())) break;
        continue;
      }
      let want = Math.min(size - at, partBytes);
      for (;;) {
        const bytes = Buffer.allocUnsafeSlow(want);
        const {bytesRead} = await handle.read(bytes, 0, want, at);
        const last = bytesRead ? bytes.lastIndexOf(0x0a, bytesRead - 1) : -1;
        if (last === -1) {
          // A line longer than the part: read on until it ends, or stop at an unterminated tail (never acknowledged).
          if (at + bytesRead >= size) {
            if (!(await waited())) return;
            want = Math.min(size - at, Math.max(want, partBytes));
            continue;
          }
          want = Math.min(size - at, want * 2);
          continue;
        }
        const block = bytes.subarray(0, last);
        const firstLine = line;
        for (let i = block.indexOf(0x0a); i !== -1; i = block.indexOf(0x0a, i + 1)) line++;
        line++;
        at += last + 1;
        yield {block, firstLine, end: at};
        break;
      }
    }
  } finally {
    await handle.close();
  }
}

/** Whether `file` holds a whole line past `offset` (the first part `readParts` would give). */
async function hasWholeLine(file: string, offset: number): Promise<boolean> {
  const parts = readParts(file, offset, 1, PART_BYTES);
  try {
    return !(await parts.next()).done;
  } finally {
    await parts.return(undefined);
  }
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
  const result: CatchUpResult = {taken: {}, spans: 0, rejected: 0, deleted: []};
  if (!listSegments(workspace).length) return result;
  // The traces (re)built since they were last reported. None is kept once reported: while traffic keeps coming, one
  // catch-up can run for hours.
  const built = new Set<string>();
  const report = () => {
    if (!built.size) return;
    const ids = [...built];
    built.clear();
    options.onTraces?.(ids);
  };
  // Converts one batch, part by part as it is read, into staged files: in the pool's workers, or here without one.
  // Each part goes to a worker as soon as it is read (the pool waits while every worker is busy), so a batch's
  // size bounds the merge, not the memory.
  const convert = async (
    file: string,
    parts: AsyncIterable<Part>
  ): Promise<{tally: ConvertTally; staged: StagedFiles; dir?: string; end: number}> => {
    const tally = emptyTally();
    let end = 0;
    if (!pool) {
      const dir = makeScratchFolder(workspace, STAGING_PREFIX);
      const writer = new StagingWriter(dir, "intake");
      for await (const part of parts) {
        convertRequests(recordsFromBlock(part.block, part.firstLine), file, 0, writer, tally);
        end = part.end;
      }
      return {tally, staged: writer.close(), dir, end};
    }
    const results: Promise<ConvertTally>[] = [];
    for await (const part of parts) {
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
      end = part.end;
    }
    for (const part of await Promise.all(results)) {
      tally.spans += part.spans;
      tally.rejected.push(...part.rejected);
      for (const id of part.traceIds ?? []) (tally.traceIds ??= []).push(id);
    }
    return {tally, staged: combine(await pool.pool.rotate()), end};
  };
  type Batch = {name: string; file: string; from: number; converted: ReturnType<typeof convert>};
  // A batch no merge will take: its staged files go once its conversion ends, and its lines are read again later.
  const discard = (batch: Batch | null) => void batch?.converted.then(removeStaged, () => undefined);
  const holdMs = options.holdMs ?? HOLD_MS;
  const maxHoldMs = options.maxHoldMs ?? MAX_HOLD_MS;
  // A batch that began converting as an opening ended: the conversion needs no store, so it goes on while the store
  // is left to others, and the next opening merges it first.
  let carried: Batch | null = null;
  try {
    for (let more = true; more;) {
      const opening = performance.now();
      more = await withConnection(workspace, async (connection) => {
        // As the file ingest's: an opening held for seconds on a growing store would otherwise cache ever more of it.
        await limitMergeMemory(connection);
        // Past DuckDB's checkpoint threshold (16 MB) every commit checkpoints, and a merge of 50,000 spans is past
        // it: each merge then paid for a checkpoint of its own, and the catch-up took 43-47 µs of CPU a span in 32 MB
        // batches against 30 with one checkpoint an opening. The opening ends with a checkpoint (`checkpointed`), and
        // until then its commits are in DuckDB's own log, durable as they are without it. The setting goes with
        // the instance, which the opening closes.
        await connection.run(`SET checkpoint_threshold = '${CHECKPOINT_THRESHOLD}'`);
        const offsets = await readOffsets(connection);
        let merges = 0;
        for (;;) {
          // Listed again on each pass: a held store takes in the segments a writer began meanwhile.
          const segments = listSegments(workspace);
          // The batches past the stored offsets, segment by segment; each starts where the one before it ended.
          let segment = 0;
          let from = offsets[segments[0]!] ?? 0;
          let resumed: Batch | null = null;
          if (carried) {
            // Taken up where the last opening left off, unless the offsets moved meanwhile (another writer).
            const at = segments.indexOf(carried.name);
            if (at !== -1 && (offsets[carried.name] ?? 0) === carried.from) {
              [resumed, segment, from] = [carried, at, carried.from];
            } else discard(carried);
            carried = null;
          }
          const start = async (follow?: Follow): Promise<Batch | null> => {
            for (; segment < segments.length; segment++, from = offsets[segments[segment]!] ?? 0) {
              const name = segments[segment]!;
              const file = join(intakeDir(workspace), name);
              const parts = readParts(file, from, batchBytes, PART_BYTES, follow);
              const first = await parts.next();
              if (first.done) continue;
              const rest = async function* () {
                yield first.value;
                yield* parts;
              };
              return {name, file, from, converted: convert(file, rest())};
            }
            return null;
          };
          // An opening that took nothing in is not bounded: it waits for more, or ends when none comes. One that did
          // ends when another process asks for the store, when an open in this one has waited `holdMs`, or at the
          // longest hold.
          const bounded = () => {
            if (!merges) return false;
            const held = performance.now() - opening;
            if (held >= maxHoldMs) return true;
            const wanted = storeWanted(workspace);
            return wanted.elsewhere || (wanted.here && held >= holdMs);
          };
          // While one batch merges, the next one converts in the workers: the store and the parsing work at once.
          for (let batch = resumed ?? (await start()); batch;) {
            const {tally, staged, dir, end} = await batch.converted;
            from = end;
            merges++;
            // The next batch takes in what the log gains while this one merges, so a merge that takes longer is
            // followed by a larger one, and while the log keeps growing it goes on to `MIN_BATCH_BYTES`: each merge
            // has a cost of its own, whatever its size.
            let merging = true;
            const aheadStarted = performance.now();
            const growing: Follow = (bytes, quietMs) => {
              if (merging) return true;
              const since = performance.now() - aheadStarted;
              return (
                bytes < MIN_BATCH_BYTES &&
                quietMs < FOLLOW_QUIET_MS &&
                since < FOLLOW_MAX_MS &&
                bytes >= (FOLLOW_MIN_RATE * since) / 1000
              );
            };
            // `bounded` reads the request file beside the store, so it is asked only when the batch would go on.
            const ahead = await start((bytes, quietMs) => growing(bytes, quietMs) && !bounded());
            for (const id of tally.traceIds ?? []) built.add(id);
            try {
              if (tally.rejected.length) {
                const path = quarantine(workspace, tally.rejected);
                result.rejected += tally.rejected.length;
                options.onQuarantine?.(path, tally.rejected.length);
              }
              await mergeStaged(connection, staged, [{path: batch.file, format: "otlp"}], new Date());
            } catch (error) {
              // The batch converting meanwhile is left to the next catch-up.
              discard(ahead);
              throw error;
            } finally {
              merging = false;
              removeStaged({staged, dir});
            }
            result.spans += tally.spans;
            offsets[batch.name] = end;
            await writeOffsets(connection, offsets);
            result.taken[batch.name] = (result.taken[batch.name] ?? 0) + (end - batch.from);
            options.onMerged?.(end - batch.from);
            // Released for a while to other writers and readers; the next opening goes on from the offsets, with the
            // batch converting meanwhile.
            if (bounded()) {
              carried = ahead;
              return checkpointed(connection, true);
            }
            batch = ahead;
          }
          await dropFinished(workspace, segments, offsets, connection, result);
          // Taken in to the end: held open while more keeps coming (each opening and checkpoint costs more than a
          // merge of a few thousand spans), released once the traffic pauses.
          if (!options.waitForMore) break;
          if (bounded()) return checkpointed(connection, true);
          report();
          if (!(await options.waitForMore())) break;
        }
        return merges ? checkpointed(connection, false) : false;
      });
      // A bounded opening ended with more to take in: other processes get the store for a while first (their
      // retries are at most 500 ms apart, see store/db.ts), and the traces it built are reported meanwhile. Opens
      // waiting in this process need no pause: the next opening queues behind them.
      if (more && options.waitForMore) {
        report();
        const wanted = storeWanted(workspace);
        if (wanted.elsewhere || !wanted.here) await new Promise((resolve) => setTimeout(resolve, RELEASE_MS));
      }
    }
  } finally {
    // Left by an opening that failed: its lines are read again by the next catch-up.
    discard(carried);
  }
  report();
  return result;
}

function removeStaged({staged, dir}: {staged: StagedFiles; dir?: string}): void {
  for (const kind of STAGED_KINDS) for (const f of staged[kind]) rmSync(f, {force: true});
  if (dir) rmSync(dir, {recursive: true, force: true});
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
    // Nothing whole is left past the offset: what remains is a torn tail or nothing.
    if (await hasWholeLine(file, offsets[name] ?? 0)) continue;
    // Off the thread that answers requests: deleting a 64 MB segment held it for about 20 ms.
    await unlink(file);
    delete offsets[name];
    changed = true;
    result.deleted.push(name);
  }
  if (changed) await writeOffsets(connection, offsets);
}
