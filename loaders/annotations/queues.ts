/**
 * @module Building and growing annotation queues from the workspace: read each trace's features, score them
 * (src/core/queue), keep the filter's traces, and write the queue file. Growing a queue adds only traces it
 * does not hold yet, so no trace is ever enqueued twice in one queue.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {matchesFilter, pickQueueItems, scoreTraces} from "../../src/core/queue/priority.js";
import {seededRandom} from "../../src/core/random.js";
import {DEFAULT_WEIGHTS, type SignalWeights} from "../../src/core/queue/signals.js";
import {QUEUE_VERSION, QueueFilterSchema, type Queue, type QueueFilter} from "../../src/core/schemas/queue.js";
import {readTraceFeatures} from "../store/queueFeatures.js";
import {readQueues, writeQueue} from "./files.js";

export interface QueueRequest {
  id: string;
  name?: string;
  annotators: string[];
  annotatorsPerTrace?: number;
  criterion?: string;
  size: number;
  randomShare?: number;
  seed?: number;
  filter?: Partial<QueueFilter>;
  weights?: SignalWeights;
}

/** Creates the queue, or adds up to `size` new traces to an existing queue of that id. */
export async function buildQueue(
  workspace: string,
  connection: DuckDBConnection,
  request: QueueRequest,
  now: number
): Promise<{queue: Queue; added: number}> {
  const existing = readQueues(workspace).queues.find((q) => q.id === request.id) ?? null;
  const filter = QueueFilterSchema.parse({...existing?.filter, ...request.filter});
  const seed = request.seed ?? existing?.seed ?? 1;
  const features = (await readTraceFeatures(connection)).filter((t) => matchesFilter(t, filter));
  const scored = scoreTraces(features, request.weights ?? DEFAULT_WEIGHTS);
  const exclude = new Set(existing?.items.map((i) => i.traceId) ?? []);
  // Growing a queue draws from a fresh stream, so its random picks differ from the first batch's.
  const items = pickQueueItems(scored, {
    size: request.size,
    randomShare: request.randomShare ?? existing?.randomShare ?? 0.1,
    minScore: filter.minScore,
    random: seededRandom(seed + exclude.size),
    exclude
  });
  const queue: Queue = {
    version: QUEUE_VERSION,
    id: request.id,
    name: request.name ?? existing?.name ?? request.id,
    annotators: [...new Set([...(existing?.annotators ?? []), ...request.annotators])],
    annotatorsPerTrace: request.annotatorsPerTrace ?? existing?.annotatorsPerTrace ?? 1,
    criterion: request.criterion ?? existing?.criterion ?? "overall",
    size: (existing?.size ?? 0) + items.length,
    randomShare: request.randomShare ?? existing?.randomShare ?? 0.1,
    seed,
    filter,
    createdAt: existing?.createdAt ?? now,
    items: [...(existing?.items ?? []), ...items]
  };
  writeQueue(workspace, queue);
  return {queue, added: items.length};
}
