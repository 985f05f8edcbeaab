/**
 * @module The intake's write-ahead log: `<workspace>/intake/*.otlp.jsonl`, one accepted OTLP/JSON
 * `ExportTraceServiceRequest` a line, appended and fsync'd before the request is answered, so an acknowledged span
 * survives a crash. The store catches up from it later (catchUp.ts).
 *
 * Each start of a receiver writes segments of its own, named by the time it started and its process id, and moves
 * to a new one past `SEGMENT_BYTES`: a process killed mid-write leaves at most a torn last line in its own segment,
 * never one that a later writer would glue a good line onto. A reader takes whole lines only; the torn end of a
 * segment whose writer is gone was never acknowledged and is skipped.
 */
import {closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, statSync, constants} from "node:fs";
import {join} from "node:path";
import {writeAll} from "../files/writeAll.js";

export const SEGMENT_SUFFIX = ".otlp.jsonl";
/** A segment is closed and a new one begun past this size, so no one file grows without bound. */
export const SEGMENT_BYTES = 256 << 20;

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

export interface WalWriter {
  /** Appends the lines (each one JSON text without a newline) as one write and fsyncs; resolves once on disk. */
  append(lines: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface WalWriterOptions {
  workspace: string;
  clock?: () => number;
  segmentBytes?: number;
}

export function openWalWriter(options: WalWriterOptions): WalWriter {
  const dir = intakeDir(options.workspace);
  mkdirSync(dir, {recursive: true});
  const started = String(options.clock?.() ?? Date.now()).padStart(15, "0");
  const segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
  let sequence = 0;
  let fd: number | null = null;
  let size = 0;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const open = () => {
    const name = `${started}-${process.pid}-${String(sequence++).padStart(4, "0")}${SEGMENT_SUFFIX}`;
    fd = openSync(join(dir, name), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
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
  // Appends run one after another, in the order asked for; a failed one does not stop the next.
  const run = (task: () => void): Promise<void> => {
    const next = chain.then(task);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    append(lines) {
      if (closed) return Promise.reject(new Error("the intake log is closed"));
      const bytes = Buffer.from(lines.join("\n") + "\n", "utf8");
      return run(() => {
        if (fd !== null && size > 0 && size + bytes.length > segmentBytes) {
          closeSync(fd);
          fd = null;
        }
        const target = fd ?? open();
        writeAll(target, bytes);
        fsyncSync(target);
        size += bytes.length;
      });
    },
    close() {
      closed = true;
      return run(() => {
        if (fd !== null) closeSync(fd);
        fd = null;
      });
    }
  };
}

/**
 * The whole lines of `file` from byte `offset`, up to `maxBytes` (at least one line however long); `end` is the
 * offset after the last line returned. An unterminated last line is left out.
 */
export function readWholeLines(
  file: string,
  offset: number,
  maxBytes: number
): {lines: string[]; end: number; size: number} {
  const size = statSync(file).size;
  if (size <= offset) return {lines: [], end: offset, size};
  const fd = openSync(file, "r");
  try {
    let want = Math.min(size - offset, maxBytes);
    for (;;) {
      const bytes = Buffer.allocUnsafe(want);
      const n = readSync(fd, bytes, 0, want, offset);
      const last = bytes.lastIndexOf(0x0a, n - 1);
      if (last === -1) {
        // One line longer than `maxBytes`: read on until it ends, or stop at an unterminated tail.
        if (offset + n >= size) return {lines: [], end: offset, size};
        want = Math.min(size - offset, want * 2);
        continue;
      }
      const text = bytes.toString("utf8", 0, last);
      return {lines: text.split("\n").filter((l) => l.trim() !== ""), end: offset + last + 1, size};
    }
  } finally {
    closeSync(fd);
  }
}
