/**
 * @module The annotation log: one JSON event per line, appended, never rewritten.
 *
 * One writer per process, serialised by a promise chain, appends through a descriptor opened with O_APPEND and
 * fsyncs before a write is acknowledged, so an acknowledged label survives a crash. A process killed mid-write
 * can leave a torn last line; reading reports it (line number and reason) and loads everything else, and the next
 * writer starts on a fresh line so the fragment never glues onto a good event.
 */
import {closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync, constants} from "node:fs";
import {dirname, join} from "node:path";
import {parseAnnotationEvent, type AnnotationEvent} from "../../src/core/schemas/annotation.js";

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

export interface LoadedLog {
  events: AnnotationEvent[];
  problems: LogProblem[];
}

/** Reads every event; bad lines are reported with their line number and skipped, never fatal. */
export function readLog(file: string): LoadedLog {
  if (!existsSync(file)) return {events: [], problems: []};
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const terminated = text.endsWith("\n");
  if (terminated) lines.pop();
  const events: AnnotationEvent[] = [];
  const problems: LogProblem[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const torn = !terminated && i === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const reason = torn ? "torn last line (the writer stopped mid-write); ignored" : `not JSON: ${(error as Error).message}`;
      problems.push({file, line: i + 1, reason, torn});
      return;
    }
    const parsed = parseAnnotationEvent(value);
    if (parsed.ok) events.push(parsed.event);
    else problems.push({file, line: i + 1, reason: parsed.reason, torn});
  });
  return {events, problems};
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
        const bytes = Buffer.from(text, "utf8");
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
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
