/**
 * @module Datasets at scale: 5,000 synthetic agent traces (10 spans, 8 messages, 3 tool calls each), every other
 * one labelled a failure of one mode; promote the 2,500 failures into a dataset, read the version back, and
 * export and import it as JSON Lines and Parquet.
 */
import {mkdtempSync, rmSync, statSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {ANNOTATION_VERSION, type AnnotationEvent} from "../src/core/schemas/annotation.js";
import {logPath, openLogWriter} from "../loaders/annotations/log.js";
import {readCases, writeCases} from "../loaders/datasets/caseFiles.js";
import {promoteTraces} from "../loaders/datasets/promote.js";
import {withConnection, withReadConnection} from "../loaders/store/db.js";
import {readDatasetCases} from "../loaders/store/datasets.js";
import {writeSyntheticWorkspace} from "../loaders/store/syntheticWorkspace.js";
import {fmt, table} from "./run.js";

export interface DatasetFigures {
  traces: number;
  cases: number;
  promoteMs: number;
  readMs: number;
  jsonl: {writeMs: number; readMs: number; mb: number};
  parquet: {writeMs: number; readMs: number; mb: number};
}

const TRACES = 5000;

function label(i: number): AnnotationEvent {
  const at = 1_767_000_000_000 + i;
  const fail = i % 2 === 1;
  return {
    op: "create",
    eventId: `e${i}`,
    at,
    by: "ana",
    annotation: {
      version: ANNOTATION_VERSION,
      id: `a${i}`,
      traceId: `t${i}`,
      criterion: "overall",
      score: fail ? 0 : 1,
      pass: !fail,
      label: null,
      failureMode: fail ? "wrong_refund" : null,
      explanation: fail ? "refunded the wrong order" : null,
      source: "reviewer",
      scope: {kind: "trace"},
      metadata: {model: null, promptVersion: null, productArea: null},
      correctedOutput: fail ? `The refund for order ${i} is on its way.` : null,
      annotator: "ana",
      createdAt: at,
      rubricRevision: 1
    }
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

export async function datasetsBench(): Promise<DatasetFigures> {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-bench-datasets-"));
  try {
    const workspace = join(dir, "ws");
    await writeSyntheticWorkspace(workspace, {traces: TRACES});
    const writer = openLogWriter(logPath(workspace));
    await writer.append(Array.from({length: TRACES}, (_, i) => label(i)));
    await writer.close();
    const [promoted, promoteMs] = await timed(() =>
      withConnection(workspace, (c) =>
        promoteTraces(c, {
          workspace,
          name: "refunds",
          source: {kind: "failure-mode", name: "wrong_refund"},
          addedBy: "ana",
          now: new Date()
        })
      )
    );
    const [{cases}, readMs] = await timed(() => withReadConnection(workspace, (c) => readDatasetCases(c, "refunds")));
    const files = {jsonl: join(dir, "refunds.jsonl"), parquet: join(dir, "refunds.parquet")};
    const measure = async (path: string) => {
      const [, writeMs] = await timed(() => writeCases(path, cases));
      const [back, readMs] = await timed(() => readCases(path));
      if (back.cases.length !== cases.length || back.problems.length)
        throw new Error(`${path}: read back ${back.cases.length} of ${cases.length} cases`);
      return {writeMs, readMs, mb: statSync(path).size / 2 ** 20};
    };
    const figures: DatasetFigures = {
      traces: TRACES,
      cases: promoted.added.length,
      promoteMs,
      readMs,
      jsonl: await measure(files.jsonl),
      parquet: await measure(files.parquet)
    };
    console.log(
      table([
        ["datasets", "figure"],
        [`promote ${fmt.int(figures.cases)} confirmed failures of ${fmt.int(TRACES)} traces`, fmt.ms(promoteMs)],
        ["read the version back (readDatasetCases)", fmt.ms(readMs)],
        [
          "export / import JSON Lines",
          `${fmt.ms(figures.jsonl.writeMs)} / ${fmt.ms(figures.jsonl.readMs)} (${figures.jsonl.mb.toFixed(1)} MB)`
        ],
        [
          "export / import Parquet",
          `${fmt.ms(figures.parquet.writeMs)} / ${fmt.ms(figures.parquet.readMs)} (${figures.parquet.mb.toFixed(1)} MB)`
        ]
      ])
    );
    return figures;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
