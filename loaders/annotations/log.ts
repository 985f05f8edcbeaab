/**
 * @module The annotation log: one JSON event per line, appended, never rewritten.
 *
 * One writer per process, serialised by a promise chain, appends through a descriptor opened with O_APPEND and
 * fsyncs before a write is acknowledged, so an acknowledged label survives a crash. A process killed mid-write
 * can leave a torn last line; reading reports it (line number and reason) and loads everything else, and the next
 * writer starts on a fresh line so the fragment never glues onto a good event.
 *
 * The log is read as a stream of fixed-size chunks, a line at a time, never as one string: a log grows without
 * bound (a busy workspace passes the 512 MB a JavaScript string can hold), and a reader holds at most one chunk
 * and the line it is in.
 */
import {closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, constants} from "node:fs";
import {dirname, join} from "node:path";
import {applyAnnotationEvent, parseAnnotationEvent, type Annotation, type AnnotationEvent} from "../../src/core/schemas/annotation.js";
import {writeAll} from "../files/writeAll.js";

/** Where a workspace keeps its annotation files. */
export function annotationDir(workspace: string): string {
  return join(workspace, "annotations");
}

export function logPath(workspace: string): string {
  return join(annotationDir(workspace), "events.jsonl");
}

export interface LogProblem {
  file: string;
  line: number;
  reason: string;
  /** True for an unterminated last line: the mark a killed writer leaves. */
  torn: boolean;
}

/** Where a reader stands in the log: the byte offset after the last line it took, and that line's number. */
export interface LogPosition {
  offset: number;
  line: number;
}

export interface ScanOptions {
  from?: LogPosition;
  /** Take an unterminated last line too (and report it as torn); otherwise it is left for its writer to finish. */
  final?: boolean;
  /** Bytes read at a time. */
  chunkBytes?: number;
}

export interface ScanResult extends LogPosition {
  problems: LogProblem[];
  /** The largest buffer the scan held, in bytes: one chunk plus the line it was in. */
  peakBufferBytes: number;
}

const CHUNK_BYTES = 1 << 20;

/** One line of the log: an event, or a problem with the line; `at` is the position after the line. */
export type LogEntry = {event: AnnotationEvent; at: LogPosition} | {problem: LogProblem; at: LogPosition};

/**
 * Reads the log from `from` to its end, one line at a time; returns where it stopped. Bad lines come out as
 * problems with their line number, never fatal. The file stays open until the generator finishes or is returned.
 */
export function* logEntries(file: string, options: ScanOptions = {}): Generator<LogEntry, ScanResult, undefined> {
  let {offset, line} = options.from ?? {offset: 0, line: 0};
  if (!existsSync(file)) return {offset, line, problems: [], peakBufferBytes: 0};
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const entry = (bytes: Buffer, start: number, end: number, torn: boolean): LogEntry | null => {
    line++;
    const at = {offset, line};
    let value: unknown;
    try {
      const text = bytes.toString("utf8", start, end);
      if (!text.trim()) return null;
      value = JSON.parse(text);
    } catch (error) {
      const reason = torn ? "torn last line (the writer stopped mid-write); ignored" : `not JSON: ${(error as Error).message}`;
      return {problem: {file, line, reason, torn}, at};
    }
    const parsed = parseAnnotationEvent(value);
    return parsed.ok ? {event: parsed.event, at} : {problem: {file, line, reason: parsed.reason, torn}, at};
  };
  const fd = openSync(file, "r");
  let peakBufferBytes = 0;
  try {
    // `pending` holds the start of a line that a chunk boundary cut; it outgrows a chunk only while one line does.
    let pending: Buffer = Buffer.alloc(0);
    const chunk = Buffer.alloc(chunkBytes);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunkBytes, offset + pending.length);
      if (n === 0) break;
      const bytes = pending.length ? Buffer.concat([pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      peakBufferBytes = Math.max(peakBufferBytes, chunkBytes + bytes.length);
      let start = 0;
      for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        offset += newline + 1 - start;
        const next = entry(bytes, start, newline, false);
        start = newline + 1;
        if (next) yield next;
      }
      pending = Buffer.from(bytes.subarray(start));
    }
    if (options.final && pending.length) {
      // The fragment is consumed: the next writer starts a new line after it, which reads as an empty line.
      offset += pending.length;
      const next = entry(pending, 0, pending.length, true);
      if (next) yield next;
    }
  } finally {
    closeSync(fd);
  }
  return {offset, line, problems: [], peakBufferBytes};
}

/** Reads the log from `from` to its end, passing each event to `onEvent` and collecting the problems. */
export function scanLog(file: string, onEvent: (event: AnnotationEvent, at: LogPosition) => void, options: ScanOptions = {}): ScanResult {
  const problems: LogProblem[] = [];
  const entries = logEntries(file, options);
  for (let next = entries.next(); ; next = entries.next()) {
    if (next.done) return {...next.value, problems};
    if ("event" in next.value) onEvent(next.value.event, next.value.at);
    else problems.push(next.value.problem);
  }
}

export interface LoadedLog {
  events: AnnotationEvent[];
  problems: LogProblem[];
}

/**
 * Reads every event into memory; bad lines are reported with their line number and skipped, never fatal. For a
 * small log or a test: what needs only the current labels folds them as it reads, with `readCurrentAnnotations`.
 */
export function readLog(file: string): LoadedLog {
  const events: AnnotationEvent[] = [];
  const {problems} = scanLog(file, (event) => void events.push(event), {final: true});
  return {events, problems};
}

/** The current labels (see `applyAnnotationEvent`), folded as the log streams by: memory follows the labels, not the log. */
export function readCurrentAnnotations(file: string): {annotations: Annotation[]; problems: LogProblem[]} {
  const current = new Map<string, Annotation>();
  const {problems} = scanLog(file, (event) => void applyAnnotationEvent(current, event), {final: true});
  return {annotations: [...current.values()], problems};
}

export interface LogFollower {
  /**
   * Passes each event appended since the last read (by this process or another) to `onEvent`. An unterminated last
   * line is left for the next read, since its writer may still be finishing it, unless `final`: then it is
   * reported as torn.
   */
  read(onEvent: (event: AnnotationEvent, at: LogPosition) => void, final?: boolean): LogProblem[];
  /** Where the reads have got to. */
  position(): LogPosition;
}

export function followLog(file: string): LogFollower {
  let position: LogPosition = {offset: 0, line: 0};
  return {
    read(onEvent, final = false) {
      const {offset, line, problems} = scanLog(file, onEvent, {from: position, final});
      position = {offset, line};
      return problems;
    },
    position: () => position
  };
}

export interface LogWriter {
  /** Appends the events as one write, durably; resolves once they are on disk. */
  append(events: readonly AnnotationEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens the log for appending. Writes from one process are serialised here, in the order they were asked for. */
export function openLogWriter(file: string): LogWriter {
  mkdirSync(dirname(file), {recursive: true});
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  let needsNewline = endsMidLine(file);
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const run = <T>(task: () => T): Promise<T> => {
    const next = chain.then(task);
    chain = next.then(() => undefined, () => undefined);
    return next;
  };
  return {
    append(events) {
      if (closed) return Promise.reject(new Error("the annotation log is closed"));
      const lines = events.map((e) => JSON.stringify(e)).join("\n") + "\n";
      return run(() => {
        const text = (needsNewline ? "\n" : "") + lines;
        writeAll(fd, Buffer.from(text, "utf8"));
        fsyncSync(fd);
        needsNewline = false;
      });
    },
    close() {
      closed = true;
      return run(() => closeSync(fd));
    }
  };
}

function endsMidLine(file: string): boolean {
  const reader = openSync(file, "r");
  try {
    const size = fstatSync(reader).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(reader, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(reader);
  }
}
