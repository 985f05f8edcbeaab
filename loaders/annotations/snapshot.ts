/**
 * @module A snapshot of the current labels at a place in the annotation log, so that a start folds only what was
 * appended since instead of the whole log: its time then follows the labels and the new lines, not every edit the
 * log ever took.
 *
 * It is a cache, never the record. It is written whole to a temporary file and renamed over the old one, checked
 * against the log before use (the log still starts with the bytes it started with, and the place still ends a
 * line), and ignored, the log folded from its start, whenever it does not fit or does not parse.
 */
import {closeSync, openSync, renameSync, rmSync} from "node:fs";
import {join} from "node:path";
import {z} from "zod";
import {AnnotationSchema, applyAnnotationEvent, type Annotation} from "../../src/core/schemas/annotation.js";
import {readLines} from "../files/lineReader.js";
import {writeAll} from "../files/writeAll.js";
import {
  annotationDir,
  logHead,
  logPath,
  placeFits,
  readCurrentAnnotations,
  scanLog,
  type LogPosition,
  type LogProblem
} from "./log.js";

export function snapshotPath(workspace: string): string {
  return join(annotationDir(workspace), "labels.snapshot.jsonl");
}

const SNAPSHOT_VERSION = 1;

/** The first line: where in the log the snapshot stands, and what a reader of the log up to there reported. */
const HeaderSchema = z.object({
  snapshot: z.literal(SNAPSHOT_VERSION),
  offset: z.number().int().nonnegative(),
  line: z.number().int().nonnegative(),
  /** The end of the last event before `offset`, which the store mirror has to reach. */
  applied: z.number().int().nonnegative(),
  /** The log's first bytes (base64) when the snapshot was taken. */
  head: z.string(),
  problems: z.array(z.object({file: z.string(), line: z.number(), reason: z.string(), torn: z.boolean()}))
});
/** Every further line: a current label, or the id of a deleted one (an import must never reuse it). */
const EntrySchema = z.union([z.object({label: AnnotationSchema}), z.object({gone: z.string().min(1)})]);

export interface LabelState {
  position: LogPosition;
  applied: number;
  current: Map<string, Annotation>;
  /** Every label id the log has named, deleted ones too. */
  known: Set<string>;
  problems: LogProblem[];
}

/** The snapshot, when there is one and it fits the log; null otherwise. */
export function readSnapshot(file: string, log: string): LabelState | null {
  const state: LabelState = {
    position: {offset: 0, line: 0},
    applied: 0,
    current: new Map(),
    known: new Set(),
    problems: []
  };
  const lines = readLines(file);
  try {
    let header = true;
    for (const {text, torn} of lines) {
      if (torn) return null;
      const value: unknown = JSON.parse(text);
      if (header) {
        const parsed = HeaderSchema.safeParse(value);
        if (!parsed.success || !placeFits(log, Buffer.from(parsed.data.head, "base64"), parsed.data.offset))
          return null;
        state.position = {offset: parsed.data.offset, line: parsed.data.line};
        state.applied = parsed.data.applied;
        state.problems = parsed.data.problems;
        header = false;
        continue;
      }
      const entry = EntrySchema.safeParse(value);
      if (!entry.success) return null;
      if ("label" in entry.data) {
        state.current.set(entry.data.label.id, entry.data.label);
        state.known.add(entry.data.label.id);
      } else {
        state.known.add(entry.data.gone);
      }
    }
    return header ? null : state;
  } catch {
    return null;
  }
}

/** Writes the snapshot whole, beside the log, and renames it into place; a failure leaves the old one (or none). */
export function writeSnapshot(file: string, log: string, state: LabelState): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, "w");
  try {
    const header = {
      snapshot: SNAPSHOT_VERSION,
      offset: state.position.offset,
      line: state.position.line,
      applied: state.applied,
      head: logHead(log).toString("base64"),
      problems: state.problems
    };
    let lines = [JSON.stringify(header)];
    const flush = () => {
      writeAll(fd, Buffer.from(lines.join("\n") + "\n", "utf8"));
      lines = [];
    };
    for (const label of state.current.values()) {
      lines.push(JSON.stringify({label}));
      if (lines.length >= 1000) flush();
    }
    for (const id of state.known) {
      if (state.current.has(id)) continue;
      lines.push(JSON.stringify({gone: id}));
      if (lines.length >= 1000) flush();
    }
    flush();
  } catch (error) {
    closeSync(fd);
    rmSync(temp, {force: true});
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
}

/**
 * The workspace's current labels and the log's problems, read as a start reads them: from the snapshot's place
 * when it fits, the rest of the log streamed and folded. Never writes.
 */
export function readLabels(workspace: string): {annotations: Annotation[]; problems: LogProblem[]} {
  const log = logPath(workspace);
  const state = readSnapshot(snapshotPath(workspace), log);
  if (!state) return readCurrentAnnotations(log);
  const {problems} = scanLog(log, (event) => void applyAnnotationEvent(state.current, event), {
    from: state.position,
    final: true
  });
  return {annotations: [...state.current.values()], problems: [...state.problems, ...problems]};
}
