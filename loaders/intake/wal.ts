/**
 * @module The intake's write-ahead log: `<workspace>/intake/*.otlp.jsonl`, one accepted OTLP/JSON
 * `ExportTraceServiceRequest` a line, appended and fsync'd before the request is answered, so an acknowledged span
 * survives a crash. The store catches up from it later (catchUp.ts), which deletes a segment once it is taken in
 * and no writer adds to it.
 *
 * Appends are committed in groups: while one write and fsync run (off the event loop), the appends asked for
 * meanwhile wait, then go to disk together in one write and one fsync. Each append still resolves only once its
 * lines are on disk; concurrent requests share the fsync instead of queueing one fsync each.
 *
 * Each start of a receiver writes segments of its own, named by the time it started and its process id, and moves
 * to a new one past `SEGMENT_BYTES`: a process killed mid-write leaves at most a torn last line in its own segment,
 * never one that a later writer would glue a good line onto. A reader takes whole lines only; the torn end of a
 * segment whose writer is gone was never acknowledged and is skipped.
 */
import {close, closeSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, write, constants} from "node:fs";
import {join, resolve} from "node:path";
import {promisify} from "node:util";

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

const NEWLINE = 0x0a;

export const SEGMENT_SUFFIX = ".otlp.jsonl";
/**
 * A segment is closed and a new one begun past this size, so no one file grows without bound. A merge takes in lines
 * of one segment at a time, so this bounds the merges too (catchUp.ts `BATCH_BYTES`).
 */
export const SEGMENT_BYTES = 512 << 20;

export function intakeDir(workspace: string): string {
  return join(workspace, "intake");
}

/** The segments of a workspace, oldest first (their names sort by start time, then sequence). */
export function listSegments(workspace: string): string[] {
  let names: string[];
  try {
    names = readdirSync(intakeDir(workspace));
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
}

/** Segments a writer of this process has open (absolute paths): the catch-up never deletes them. */
const openSegments = new Set<string>();

export function isOpenSegment(path: string): boolean {
  return openSegments.has(resolve(path));
}

export interface WalWriter {
  /** Appends the lines (each one JSON text without a newline) and fsyncs; resolves once they are on disk. */
  append(lines: readonly (string | Uint8Array)[]): Promise<void>;
  close(): Promise<void>;
}

export interface WalWriterOptions {
  workspace: string;
  clock?: () => number;
  segmentBytes?: number;
}

interface Waiting {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The largest group buffer kept for the next group. Appends are copied into one of two buffers that take turns (one
 * fills while the other is written) rather than into a new one each: half a megabyte a request of memory outside
 * V8's heap made the receiver's thread run full garbage collections many times a second.
 */
const KEPT_BYTES = 16 << 20;
/** A group buffer's size to begin with: a few 512-span requests' text; it grows for larger groups. */
const START_BYTES = 1 << 20;

export function openWalWriter(options: WalWriterOptions): WalWriter {
  const dir = resolve(intakeDir(options.workspace));
  mkdirSync(dir, {recursive: true});
  const started = String(options.clock?.() ?? Date.now()).padStart(15, "0");
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
  let sequence = 0;
  let fd: number | null = null;
  let path: string | null = null;
  let size = 0;
  // The group being filled: its bytes, how many, and who waits for them.
  let filling: Buffer = Buffer.allocUnsafeSlow(START_BYTES);
  let filled = 0;
  let queue: Waiting[] = [];
  // The other buffer, free while no group is being written.
  let spare: Buffer | null = Buffer.allocUnsafeSlow(START_BYTES);
  let writing: Promise<void> | null = null;
  let closed = false;
  const begin = (): number => {
    const name = `${started}-${process.pid}-${String(sequence++).padStart(4, "0")}${SEGMENT_SUFFIX}`;
    path = join(dir, name);
    openSegments.add(path);
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    size = 0;
    // The new name must itself survive a crash, or the lines in it could be lost with the directory entry.
    const dirFd = openSync(dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return fd;
  };
  const end = async () => {
    const was = fd;
    if (path !== null) openSegments.delete(path);
    fd = null;
    path = null;
    if (was !== null) await closeAsync(was);
  };
  // Writes everything queued as one group, then the group queued meanwhile, until the queue is empty.
  const drain = async () => {
    while (queue.length) {
      const group = queue;
      const buffer = filling;
      const bytes = buffer.subarray(0, filled);
      queue = [];
      filling = spare ?? Buffer.allocUnsafeSlow(START_BYTES);
      spare = null;
      filled = 0;
      try {
        if (fd !== null && size > 0 && size + bytes.length > segmentBytes) await end();
        const target = fd ?? begin();
        let written = 0;
        while (written < bytes.length)
          written += (await writeAsync(target, bytes, written, bytes.length - written)).bytesWritten;
        await fsyncAsync(target);
        size += bytes.length;
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      } finally {
        if (buffer.length <= KEPT_BYTES) spare = buffer;
      }
    }
    writing = null;
  };
  return {
    append(lines) {
      if (closed) return Promise.reject(new Error("the intake log is closed"));
      // Copied now: the caller may reuse its bytes once this returns (the text writer does, see otlpWire.ts).
      const parts = lines.map((line) => (typeof line === "string" ? Buffer.from(line, "utf8") : line));
      const need = filled + parts.reduce((n, part) => n + part.length + 1, 0);
      if (need > filling.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(need, filling.length * 2));
        filling.copy(bigger, 0, 0, filled);
        filling = bigger;
      }
      for (const part of parts) {
        filling.set(part, filled);
        filled += part.length;
        filling[filled++] = NEWLINE;
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({resolve, reject});
        writing ??= drain();
      });
    },
    async close() {
      closed = true;
      while (writing) await writing;
      await end();
    }
  };
}
