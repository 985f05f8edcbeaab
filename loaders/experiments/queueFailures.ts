/**
 * @module An experiment's failing traces sent to a review queue: the suite's trusted evaluators (those the trust
 * policy lets block) score each case's trace, and the traces any of them fails, or the one named, join the queue,
 * a `share` of them chosen by a hash of trace and experiment, so the same traces every time. A queue never holds a
 * trace twice, so queueing again adds only traces it does not hold yet.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import type {TrustPolicy} from "../../src/core/calibration/trust.js";
import {inSample} from "../../src/core/online/sample.js";
import {QUEUE_VERSION, QueueFilterSchema, type Queue} from "../../src/core/schemas/queue.js";
import {readQueues, writeQueue} from "../annotations/files.js";
import {PlumblineError} from "../errors.js";
import {scoreExperiment} from "../gate/experimentSide.js";
import {planSuite} from "../gate/runGate.js";
import type {Suite} from "../gate/suite.js";
import type {JudgeClient} from "../judge/judgeClient.js";

export class QueueFailuresError extends PlumblineError {
  override readonly name = "QueueFailuresError";
}

export interface QueueFailuresRequest {
  experiment: string;
  queue: string;
  suite: Pick<Suite, "specs">;
  trust: TrustPolicy;
  /** Only this evaluator's fails; it must be trusted. */
  evaluator?: string;
  share: number;
  /** Who reviews the queue, when this creates it (added to an existing queue's). */
  annotators: string[];
  criterion?: string;
  client?: JudgeClient;
}

export interface QueueFailuresOutcome {
  queue: Queue;
  /** The trusted evaluators that scored the traces, and each one's failing traces. */
  evaluators: {id: string; failing: string[]}[];
  /** Traces that failed a trusted evaluator, those in the share, and those this added to the queue. */
  failing: number;
  inShare: number;
  added: string[];
  /** Why the suite's other evaluators were left out. */
  untrusted: {id: string; reason: string}[];
}

export async function queueFailingTraces(
  workspace: string,
  connection: DuckDBConnection,
  request: QueueFailuresRequest,
  now: number
): Promise<QueueFailuresOutcome> {
  const planned = planSuite(request.suite, 0, request.trust);
  if (request.evaluator && !planned.some((p) => p.loaded.spec.id === request.evaluator))
    throw new QueueFailuresError(
      `the suite has no evaluator ${request.evaluator}; the ids are ${planned.map((p) => p.loaded.spec.id).join(", ") || "(none)"}`
    );
  const considered = planned.filter((p) => !request.evaluator || p.loaded.spec.id === request.evaluator);
  const trusted = considered.filter((p) => p.plan.role === "blocks");
  const untrusted = considered
    .filter((p) => p.plan.role !== "blocks")
    .map((p) => ({id: p.loaded.spec.id, reason: p.plan.reason}));
  if (!trusted.length)
    throw new QueueFailuresError(
      `no trusted evaluator to queue fails by: ${untrusted.map((u) => `${u.id} (${u.reason})`).join("; ") || "the suite is empty"}. ` +
        "Calibrate one against human labels (`plumbline calibrate`), or decide trust on the MCC alone with --trust point"
    );
  const scored = await scoreExperiment(connection, request.experiment, {
    specs: trusted.map((p) => p.loaded),
    ...(request.client ? {client: request.client} : {})
  });
  const evaluators = trusted.map((p) => ({
    id: p.loaded.spec.id,
    failing: scored.side.cases
      .filter((c) => c.traceId && c.verdicts[p.loaded.spec.id] === "fail")
      .map((c) => c.traceId!)
  }));
  const failing = [...new Set(evaluators.flatMap((e) => e.failing))].sort();
  const chosen = failing.filter((id) => inSample(id, `experiment:${request.experiment}`, request.share));
  const existing = readQueues(workspace).queues.find((q) => q.id === request.queue) ?? null;
  if (!existing && !request.annotators.length)
    throw new QueueFailuresError(`queue ${request.queue} does not exist yet: name its reviewers with --annotators a,b`);
  const base: Queue = existing ?? {
    version: QUEUE_VERSION,
    id: request.queue,
    name: request.queue,
    annotators: request.annotators,
    annotatorsPerTrace: 1,
    criterion: request.criterion ?? "overall",
    size: 0,
    randomShare: 0,
    seed: 1,
    filter: QueueFilterSchema.parse({}),
    createdAt: now,
    items: []
  };
  const held = new Set(base.items.map((i) => i.traceId));
  const added = chosen.filter((id) => !held.has(id));
  const queue: Queue = {
    ...base,
    annotators: [...new Set([...base.annotators, ...request.annotators])],
    items: [
      ...base.items,
      ...added.map((traceId) => ({
        traceId,
        score: 0,
        random: false,
        clusterWeight: 1,
        contributions: [],
        enqueuedBy: `experiment:${request.experiment}`
      }))
    ]
  };
  queue.size = queue.items.length;
  if (added.length || !existing || queue.annotators.length !== base.annotators.length) writeQueue(workspace, queue);
  return {queue, evaluators, failing: failing.length, inShare: chosen.length, added, untrusted};
}
