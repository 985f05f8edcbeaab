/**
 * @module A labelled workspace for dataset tests: the four traces of `fixtures/fixtureTraces.ts`, reviewed by ana
 * and bo in a queue, with semantic topics.
 *
 * - trace-refund: both fail it (wrong_tool_arguments), ana wrote the corrected answer: a confirmed failure;
 * - trace-weather: both pass it, topic shared with trace-refund, ordinary answer: nothing to protect;
 * - trace-timeout: ana passes, bo fails, nobody adjudicated: an edge case;
 * - trace-hostile: both pass it, alone in its topic: a new topic; its texts are hostile HTML.
 */
import {QUEUE_VERSION, type Queue} from "../../src/core/schemas/queue.js";
import {writeQueue} from "../annotations/files.js";
import {openAnnotationService} from "../annotations/service.js";
import {HOSTILE_SCRIPT, fixtureTraces} from "../fixtures/fixtureTraces.js";
import {writeFixtureWorkspace} from "../fixtures/fixtureWorkspace.js";
import {replaceClusters, type ClusterRow} from "../store/clusterTables.js";
import {withConnection} from "../store/db.js";

export const CORRECTED_REFUND = "Let me look up order 919 for you.";
export const QUEUE_ID = "triage";

function topic(clusterId: string, traceIds: string[]): ClusterRow {
  return {
    clusterId,
    kind: "semantic",
    name: clusterId,
    size: traceIds.length,
    sessions: traceIds.length,
    severity: 1,
    signature: null,
    terms: null,
    representativeTraceIds: traceIds,
    firstSeen: null,
    lastSeen: null,
    x: null,
    y: null,
    method: "fixture"
  };
}

export async function writeDatasetWorkspace(workspace: string): Promise<void> {
  await writeFixtureWorkspace(workspace, fixtureTraces());
  const service = openAnnotationService({workspace, mirrorDelayMs: 10});
  const label = (traceId: string, annotator: string, pass: boolean, extra: object = {}) =>
    service.create({traceId, annotator, criterion: "overall", pass, source: "reviewer", ...extra});
  await label("trace-refund", "ana", false, {
    failureMode: "wrong_tool_arguments",
    explanation: "looked up order 991 after the user said 919",
    correctedOutput: CORRECTED_REFUND
  });
  await label("trace-refund", "bo", false, {failureMode: "wrong_tool_arguments"});
  await label("trace-weather", "ana", true);
  await label("trace-weather", "bo", true);
  await label("trace-timeout", "ana", true);
  await label("trace-timeout", "bo", false);
  await label("trace-hostile", "ana", true, {explanation: `fine ${HOSTILE_SCRIPT}`});
  await label("trace-hostile", "bo", true);
  await service.flush();
  await service.close();
  await withConnection(workspace, (connection) =>
    replaceClusters(
      connection,
      ["semantic"],
      "fixture-run",
      [topic("topic-orders", ["trace-refund", "trace-weather"]), topic("topic-odd", ["trace-hostile"])],
      [
        {traceId: "trace-refund", clusterId: "topic-orders", kind: "semantic", x: null, y: null},
        {traceId: "trace-weather", clusterId: "topic-orders", kind: "semantic", x: null, y: null},
        {traceId: "trace-hostile", clusterId: "topic-odd", kind: "semantic", x: null, y: null}
      ]
    )
  );
  const item = (traceId: string) => ({traceId, score: 1, random: false, clusterWeight: 1, contributions: []});
  const queue: Queue = {
    version: QUEUE_VERSION,
    id: QUEUE_ID,
    name: "Triage",
    annotators: ["ana", "bo"],
    annotatorsPerTrace: 2,
    criterion: "overall",
    size: 4,
    randomShare: 0,
    seed: 1,
    filter: {model: null, status: null, format: null, text: "", minScore: 0},
    createdAt: 0,
    items: ["trace-weather", "trace-refund", "trace-timeout", "trace-hostile"].map(item)
  };
  writeQueue(workspace, queue);
}
