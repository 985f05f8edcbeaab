/**
 * @module The annotation log: one JSON event per line, appended, never rewritten.
 *
 * One writer per process, serialised by a promise chain, appends through a descriptor opened with O_APPEND and
 * fsyncs before a write is acknowledged, so an acknowledged label survives a crash. A process killed mid-write
 * can leave a torn last line; reading reports it (line number and reason) and loads everything else, and the next
 * writer starts on a fresh line so the fragment never glues onto a good event.
 */
import {closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, constants} from "node:fs";
import {dirname, join} from "node:path";
import {parseAnnotationEvent, type AnnotationEvent} from "../../src/core/schemas/annotation.js";
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

export interface LoadedLog {
  events: AnnotationEvent[];
  problems: LogProblem[];
}

/** Reads every event; bad lines are reported with their line number and skipped, never fatal. */
export function readLog(file: string): LoadedLog {
  return followLog(file).read(true);
}

export interface LogFollower {
  /**
   * The events appended since the last read (by this process or another). An unterminated last line is left for
   * the next read, since its writer may still be finishing it, unless `final`: then it is reported as torn.
   */
  read(final?: boolean): LoadedLog;
}

export function followLog(file: string): LogFollower {
  let offset = 0;
  let line = 0;
  return {
    read(final = false) {
      if (!existsSync(file)) return {events: [], problems: []};
      const fd = openSync(file, "r");
      let bytes: Buffer;
      try {
        const size = fstatSync(fd).size;
        bytes = Buffer.alloc(Math.max(0, size - offset));
        let read = 0;
        while (read < bytes.length) {
          const n = readSync(fd, bytes, read, bytes.length - read, offset + read);
          if (n === 0) break;
          read += n;
        }
        bytes = bytes.subarray(0, read);
      } finally {
        closeSync(fd);
      }
      const end = bytes.lastIndexOf(0x0a) + 1;
      const complete = bytes.subarray(0, end).toString("utf8");
      const tail = bytes.subarray(end);
      const events: AnnotationEvent[] = [];
      const problems: LogProblem[] = [];
      const take = (text: string, torn: boolean) => {
        line++;
        if (!text.trim()) return;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          const reason = torn ? "torn last line (the writer stopped mid-write); ignored" : `not JSON: ${(error as Error).message}`;
          problems.push({file, line, reason, torn});
          return;
        }
        const parsed = parseAnnotationEvent(value);
        if (parsed.ok) events.push(parsed.event);
        else problems.push({file, line, reason: parsed.reason, torn});
      };
      const lines = complete.split("\n");
      lines.pop();
      for (const text of lines) take(text, false);
      offset += end;
      if (final && tail.length) {
        take(tail.toString("utf8"), true);
        // The fragment is consumed: the next writer starts a new line after it, which reads as an empty line.
        offset += tail.length;
      }
      return {events, problems};
    }
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
