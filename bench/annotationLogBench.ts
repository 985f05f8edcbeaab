/**
 * @module A large annotation log: 1,000,000 events, most of them edits, past the 512 MB a JavaScript string can
 * hold. The first 600,000 are written as earlier versions wrote them (each edit a whole copy of its label, with a
 * long explanation), the rest as patches and deletes. Times, each in a fresh process with its own peak memory:
 * the API server's start (without the pages) until it listens and until the store mirrors the log, on a new store
 * and again on the unchanged log; and `plumbline annotations export` of the current labels.
 */
import {closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {logPath} from "../loaders/annotations/log.js";
import {ANNOTATION_VERSION, type Annotation} from "../src/core/schemas/annotation.js";
import {fmt, runNode, table} from "./run.js";

const LABELS = 100_000;
const FULL_COPY_EDITS = 500_000;
const PATCHES = 380_000;
const DELETES = 20_000;
export const EVENTS = LABELS + FULL_COPY_EDITS + PATCHES + DELETES;

function label(i: number): Annotation {
  return {
    version: ANNOTATION_VERSION,
    id: `label-${i}`,
    traceId: `trace-${i % 60_000}`,
    criterion: "overall",
    score: i % 3 ? 1 : 0,
    pass: i % 3 > 0,
    label: null,
    failureMode: i % 3 ? null : "policy_violation",
    explanation: `Reviewed turn by turn (${i}). `.padEnd(
      800,
      "The agent followed the booking policy and confirmed the change with the user. "
    ),
    source: "reviewer",
    scope: {kind: "trace"},
    metadata: {model: "gpt-4o", promptVersion: "v3", productArea: "airline"},
    correctedOutput: null,
    annotator: i % 2 ? "ana" : "bo",
    createdAt: 1_767_000_000_000 + i,
    rubricRevision: 1
  };
}

/** Writes the log in blocks of lines; returns its size in bytes. */
function writeLog(file: string): number {
  mkdirSync(dirname(file), {recursive: true});
  const fd = openSync(file, "w");
  let lines: string[] = [];
  const put = (event: object) => {
    lines.push(JSON.stringify(event));
    if (lines.length === 10_000) flush();
  };
  const flush = () => {
    if (lines.length) writeSync(fd, lines.join("\n") + "\n");
    lines = [];
  };
  try {
    let n = 0;
    const at = () => 1_767_000_000_000 + n++;
    for (let i = 0; i < LABELS; ++i) put({op: "create", eventId: `c${i}`, at: at(), by: "ana", annotation: label(i)});
    for (let i = 0; i < FULL_COPY_EDITS; ++i) {
      const edited = {
        ...label(i % LABELS),
        explanation: `Second look ${i}: `.padEnd(800, "On reflection the refund rule was misread. ")
      };
      put({op: "edit", eventId: `x${i}`, at: at(), by: "bo", annotation: edited});
    }
    for (let i = 0; i < PATCHES; ++i) {
      const changes =
        i % 2
          ? {explanation: `Patched ${i}: the agent skipped the confirmation.`}
          : {pass: i % 4 === 0, failureMode: i % 4 ? "skipped_confirmation" : null};
      put({
        op: "patch",
        eventId: `p${i}`,
        at: at(),
        by: "ana",
        version: ANNOTATION_VERSION,
        id: `label-${(i * 7) % LABELS}`,
        changes
      });
    }
    for (let i = 0; i < DELETES; ++i) put({op: "delete", eventId: `d${i}`, at: at(), by: "bo", id: `label-${i * 5}`});
    flush();
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

interface Start {
  listeningMs: number;
  mirroredMs: number;
  labels: number;
  retainedHeapMb: number;
  peakRssMb: number;
}
interface Export {
  ms: number;
  lines: number;
  bytes: number;
  peakRssMb: number;
}

export interface AnnotationLogFigures {
  events: number;
  logMb: number;
  firstStart: Start;
  secondStart: Start;
  export: Export;
}

export async function annotationLogBench(): Promise<AnnotationLogFigures> {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-bench-annotation-log-"));
  try {
    const workspace = join(dir, "ws");
    const bytes = writeLog(logPath(workspace));
    const child = "bench/annotationLogChild.ts";
    const firstStart = (await runNode<Start>(["--expose-gc", "--import", "tsx", child, "start", workspace])).result;
    const secondStart = (await runNode<Start>(["--expose-gc", "--import", "tsx", child, "start", workspace])).result;
    const exported = (await runNode<Export>(["--import", "tsx", child, "export", workspace])).result;
    const figures: AnnotationLogFigures = {
      events: EVENTS,
      logMb: bytes / 2 ** 20,
      firstStart,
      secondStart,
      export: exported
    };
    const start = (s: Start) =>
      `${fmt.ms(s.listeningMs)} / ${fmt.ms(s.mirroredMs)}, ${fmt.mb(s.peakRssMb)} (heap kept ${fmt.mb(s.retainedHeapMb)})`;
    console.log(
      table([
        [
          `annotation log: ${fmt.int(EVENTS)} events, ${fmt.mb(figures.logMb)}, ${fmt.int(firstStart.labels)} current labels`,
          "listening / mirrored, peak RSS"
        ],
        ["start, new store (mirrors the whole log)", start(firstStart)],
        ["start again, log unchanged", start(secondStart)],
        [
          `annotations export (${fmt.int(exported.lines)} lines, ${fmt.mb(exported.bytes / 2 ** 20)})`,
          `${fmt.ms(exported.ms)}, ${fmt.mb(exported.peakRssMb)}`
        ]
      ])
    );
    return figures;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
