/**
 * @module Annotation write path and queue scoring: acknowledged (fsynced) label writes one at a time and 200 at
 * once, loading a 100,000-event log, mirroring it into DuckDB, and scoring 100,000 traces for a queue.
 */
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {logPath, openLogWriter, readLog} from "../loaders/annotations/log.js";
import {createEvent} from "../loaders/annotations/testEvents.js";
import {openAnnotationService} from "../loaders/annotations/service.js";
import {withConnection} from "../loaders/store/db.js";
import {mirrorAnnotationLog} from "../loaders/annotations/mirror.js";
import {scoreTraces} from "../src/core/queue/priority.js";
import {seededRandom} from "../src/core/random.js";
import type {TraceFeatures} from "../src/core/queue/signals.js";
import {fmt, table} from "./run.js";

export interface AnnotationFigures {
  sequentialWritesPerSec: number;
  sequentialP50Ms: number;
  sequentialP99Ms: number;
  concurrentWritesPerSec: number;
  loadLogEventsPerSec: number;
  mirrorEventsPerSec: number;
  scoreTracesPerSec: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function annotationsBench(): Promise<AnnotationFigures> {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-bench-annotations-"));
  try {
    const service = openAnnotationService({workspace: join(dir, "ws"), mirrorDelayMs: 60_000});
    const label = (i: number) => ({
      traceId: `t${i}`,
      criterion: "overall",
      annotator: i % 2 ? "ana" : "bo",
      pass: i % 3 > 0,
      source: "reviewer"
    });
    const latencies: number[] = [];
    const sequentialStart = performance.now();
    for (let i = 0; i < 1000; ++i) {
      const t = performance.now();
      await service.create(label(i));
      latencies.push(performance.now() - t);
    }
    const sequentialMs = performance.now() - sequentialStart;
    const concurrentStart = performance.now();
    await Promise.all(Array.from({length: 200}, (_, i) => service.create(label(i))));
    const concurrentMs = performance.now() - concurrentStart;
    await service.close();
    latencies.sort((a, b) => a - b);

    const big = join(dir, "big", "annotations", "events.jsonl");
    const writer = openLogWriter(big);
    for (let start = 0; start < 100_000; start += 5000)
      await writer.append(Array.from({length: 5000}, (_, i) => createEvent(start + i)));
    await writer.close();
    const loadStart = performance.now();
    const {events} = readLog(big);
    const loadMs = performance.now() - loadStart;
    const mirrorStart = performance.now();
    await withConnection(join(dir, "big"), (c) => mirrorAnnotationLog(c, big));
    const mirrorMs = performance.now() - mirrorStart;

    const random = seededRandom(42);
    const traces: TraceFeatures[] = Array.from({length: 100_000}, (_, i) => ({
      traceId: `t${i}`,
      model: `m${i % 5}`,
      status: "ok",
      format: "otlp",
      name: null,
      latencyMs: 500 + random() * 2000,
      totalTokens: Math.round(1000 + random() * 4000),
      costUsd: random() / 100,
      messageCount: 4 + Math.round(random() * 20),
      toolErrors: random() < 0.1 ? 1 : 0,
      retries: 0,
      negativeFeedback: random() < 0.02 ? 1 : 0,
      escalations: 0,
      resubmissions: 0,
      hedges: random() < 0.05 ? 1 : 0,
      judgeDisagreements: 0,
      clusterId: `c${i % 300}`,
      clusterSize: 1 + (i % 300),
      clusterEvaluated: i % 7 > 0
    }));
    const scoreStart = performance.now();
    scoreTraces(traces);
    const scoreMs = performance.now() - scoreStart;

    const figures: AnnotationFigures = {
      sequentialWritesPerSec: 1000 / (sequentialMs / 1000),
      sequentialP50Ms: quantile(latencies, 0.5),
      sequentialP99Ms: quantile(latencies, 0.99),
      concurrentWritesPerSec: 200 / (concurrentMs / 1000),
      loadLogEventsPerSec: events.length / (loadMs / 1000),
      mirrorEventsPerSec: events.length / (mirrorMs / 1000),
      scoreTracesPerSec: traces.length / (scoreMs / 1000)
    };
    console.log(
      table([
        ["annotations", "figure"],
        ["label writes, one at a time (fsync each)", `${fmt.int(figures.sequentialWritesPerSec)}/s`],
        ["  latency p50 / p99", `${figures.sequentialP50Ms.toFixed(2)} / ${figures.sequentialP99Ms.toFixed(2)} ms`],
        ["label writes, 200 at once", `${fmt.int(figures.concurrentWritesPerSec)}/s`],
        ["load a 100,000-event log", `${fmt.int(figures.loadLogEventsPerSec)} events/s (${fmt.ms(loadMs)})`],
        ["mirror 100,000 events into DuckDB", `${fmt.int(figures.mirrorEventsPerSec)} events/s (${fmt.ms(mirrorMs)})`],
        ["score 100,000 traces for a queue", `${fmt.int(figures.scoreTracesPerSec)} traces/s (${fmt.ms(scoreMs)})`]
      ])
    );
    return figures;
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
