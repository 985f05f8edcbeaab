/**
 * @module The annotation log: one JSON event per line, appended, never rewritten.
 *
 * One writer per process, serialised by a promise chain, appends through a descriptor opened with O_APPEND and
 * fsyncs before a write is acknowledged, so an acknowledged label survives a crash. A process killed mid-write
 * can leave a torn last line; reading reports it (line number and reason) and loads everything else, and the next
 * writer starts on a fresh line so the fragment never glues onto a good event.
 *
 * The log is read as a stream of fixed-size chunks, a line at a time, never as one string (loaders/files/lineReader.ts):
 * a busy workspace's log passes the 512 MB a JavaScript string can hold.
 */
import {closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, constants} from "node:fs";
import {dirname, join} from "node:path";
import {
  applyAnnotationEvent,
  parseAnnotationEvent,
  type Annotation,
  type AnnotationEvent
} from "../../src/core/schemas/annotation.js";
import {readLines, type LinePosition, type ReadLinesEnd, type ReadLinesOptions} from "../files/lineReader.js";
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
export type LogPosition = LinePosition;

export type ScanOptions = ReadLinesOptions;

export interface ScanResult extends ReadLinesEnd {
  problems: LogProblem[];
}

/** One line of the log: an event, or a problem with the line; `at` is the position after the line. */
export type LogEntry = {event: AnnotationEvent; at: LogPosition} | {problem: LogProblem; at: LogPosition};

/**
 * Reads the log from `from` to its end, one line at a time; returns where it stopped. Bad lines come out as
 * problems with their line number, never fatal. The file stays open until the generator finishes or is returned.
 */
export function* logEntries(file: string, options: ScanOptions = {}): Generator<LogEntry, ScanResult, undefined> {
  const lines = readLines(file, options);
  for (let next = lines.next(); ; next = lines.next()) {
    if (next.done) return {...next.value, problems: []};
    const {text, at, torn} = next.value;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = torn
        ? "torn last line (the writer stopped mid-write); ignored"
        : `not JSON: ${(error as Error).message}`;
      yield {problem: {file, line: at.line, reason, torn}, at};
      continue;
    }
    const parsed = parseAnnotationEvent(value);
    yield parsed.ok ? {event: parsed.event, at} : {problem: {file, line: at.line, reason: parsed.reason, torn}, at};
  }
}

/** Reads the log from `from` to its end, passing each event to `onEvent` and collecting the problems. */
export function scanLog(
  file: string,
  onEvent: (event: AnnotationEvent, at: LogPosition) => void,
  options: ScanOptions = {}
): ScanResult {
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

const HEAD_BYTES = 256;

/**
 * The log's first bytes, which name its first event. A reader that remembers a place in the log (the store mirror,
 * the label snapshot) keeps them too: the log only grows, so a log that no longer starts with them was replaced.
 */
export function logHead(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const bytes = Buffer.alloc(Math.min(HEAD_BYTES, fstatSync(fd).size));
    return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether a place remembered in the log still fits it: the log starts with `head` and `offset` ends a line in it. */
export function placeFits(file: string, head: Buffer, offset: number): boolean {
  const now = logHead(file);
  if (head.length > now.length || !now.subarray(0, head.length).equals(head)) return false;
  if (offset === 0) return true;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return false;
  }
  try {
    const byte = Buffer.alloc(1);
    return readSync(fd, byte, 0, 1, offset - 1) === 1 && byte[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
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

export function followLog(file: string, from: LogPosition = {offset: 0, line: 0}): LogFollower {
  let position = from;
  return {
    read(onEvent, final = false) {
      const {offset, line, problems} = scanLog(file, onEvent, {from: position, final});
      position = {offset, line};
      return problems;
    },
    position: () => position
  };
}

export interface LogWriter<E = AnnotationEvent> {
  /** Appends the events as one write, durably; resolves once they are on disk. */
  append(events: readonly E[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the log for appending. Writes from one process are serialised here, in the order they were asked for. The
 * pairwise review log (`pairwise.jsonl`) is written the same way, with its own events.
 */
export function openLogWriter<E = AnnotationEvent>(file: string): LogWriter<E> {
  mkdirSync(dirname(file), {recursive: true});
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  let needsNewline = endsMidLine(file);
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const run = <T>(task: () => T): Promise<T> => {
    const next = chain.then(task);
    chain = next.then(
      () => undefined,
      () => undefined
    );
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
