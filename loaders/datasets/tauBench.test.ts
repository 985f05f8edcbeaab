// Datasets on real data: the 200 τ-bench airline runs, labelled by a script that fails every run with reward 0
// (the README's 116) under one failure mode, promoted, exported as Parquet and imported again.
import assert from "node:assert/strict";
import {readFileSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {summarizeReviews} from "../../src/core/datasets/reviews.js";
import {currentAnnotations} from "../../src/core/schemas/annotation.js";
import {QUEUE_VERSION} from "../../src/core/schemas/queue.js";
import {readQueues, writeQueue} from "../annotations/files.js";
import {logPath, readLog} from "../annotations/log.js";
import {readOutcomes} from "../annotations/reviewOutcomes.js";
import {openAnnotationService} from "../annotations/service.js";
import {sharedPath} from "../fixtures/sharedData.js";
import {ingest} from "../ingest/ingest.js";
import {withConnection, withReadConnection} from "../store/db.js";
import {readDatasetCases} from "../store/datasets.js";
import {readCases, writeCases} from "./caseFiles.js";
import {promoteTraces} from "./promote.js";
import {writeNextVersion} from "./versions.js";
import {tempDir} from "../fixtures/tempDir.js";

const root = tempDir("dataset-tau");
const workspace = join(root, "ws");
after(() => rmSync(root, {recursive: true, force: true}));
const file = sharedPath("tau-bench-airline", "gpt-4o-airline.json");
const runs = JSON.parse(readFileSync(file, "utf8")) as {task_id: number; trial: number; reward: number}[];
const failed = new Set(runs.filter((r) => r.reward === 0).map((r) => `tau-gpt-4o-airline-${r.task_id}-${r.trial}`));

before(async () => {
  await ingest({workspace, paths: [file], workers: 0});
  const service = openAnnotationService({workspace, mirrorDelayMs: 50});
  for (const r of runs) {
    const traceId = `tau-gpt-4o-airline-${r.task_id}-${r.trial}`;
    await service.create(
      r.reward === 0
        ? {
            traceId,
            annotator: "script",
            criterion: "overall",
            pass: false,
            source: "reviewer",
            failureMode: "task_not_completed",
            explanation: "reward 0"
          }
        : {traceId, annotator: "script", criterion: "overall", pass: true, source: "reviewer"}
    );
  }
  await service.close();
});

test("a failure mode's 116 confirmed failures become cases with their whole conversations, then a queue of every run adds the passes worth protecting", async () => {
  assert.equal(failed.size, 116);
  const now = new Date("2026-11-20T10:00:00.000Z");
  const first = await withConnection(workspace, (c) =>
    promoteTraces(c, {
      workspace,
      name: "tau-airline",
      source: {kind: "failure-mode", name: "task_not_completed"},
      addedBy: "ana",
      now
    })
  );
  assert.equal(first.version, 1);
  assert.equal(first.added.length, 116);
  assert.ok(
    first.added.every(
      (c) => c.kind === "confirmed_failure" && failed.has(c.caseId) && c.failureMode === "task_not_completed"
    )
  );
  const c0 = first.added[0]!;
  assert.ok(
    c0.input && c0.context.messages.some((m) => m.role === "assistant") && c0.context.toolCalls.length > 0,
    "the conversation and tool calls travel with the case"
  );

  // The same runs reviewed in a queue: the failures are in the dataset already, so the passes are weighed for
  // what is worth protecting, and those with nothing to protect are left out.
  writeQueue(workspace, {
    version: QUEUE_VERSION,
    id: "all-runs",
    name: "All runs",
    annotators: ["script"],
    annotatorsPerTrace: 1,
    criterion: "overall",
    size: runs.length,
    randomShare: 0,
    seed: 1,
    filter: {model: null, status: null, format: null, text: "", minScore: 0},
    createdAt: 0,
    items: runs.map((r) => ({
      traceId: `tau-gpt-4o-airline-${r.task_id}-${r.trial}`,
      score: 1,
      random: false,
      clusterWeight: 1,
      contributions: []
    }))
  });
  const second = await withConnection(workspace, (c) =>
    promoteTraces(c, {workspace, name: "tau-airline", source: {kind: "queue", id: "all-runs"}, addedBy: "ana", now})
  );
  assert.equal(second.version, 2);
  assert.equal(second.skipped.filter((s) => s.reason === "already in the dataset").length, 116);
  const kinds = new Map<string, number>();
  for (const p of second.picks) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
  assert.deepEqual(
    [...kinds.keys()].sort(),
    ["edge_case", "long_output"],
    "no topics without clusters, and no passing run is a failure"
  );
  assert.equal(second.picks.length + second.skipped.length, 200);
  const reviews = summarizeReviews(
    readQueues(workspace).queues,
    currentAnnotations(readLog(logPath(workspace)).events),
    readOutcomes(workspace).outcomes
  );
  assert.equal(reviews.completed, 200);
  assert.equal(
    reviews.byOutcome.dataset_case,
    116 + second.picks.length,
    "an outcome without a queue counts for the queue's review"
  );
  assert.equal(reviews.ledNowhere, 200 - 116 - second.picks.length);
  console.log(
    `τ-bench promotion: ${first.added.length} confirmed failures; then ${JSON.stringify(Object.fromEntries(kinds))} of 84 passes ` +
      `(long from ${second.longOutputChars} characters); ${reviews.ledNowhere} of ${reviews.completed} completed reviews led nowhere`
  );
});

test("the latest version round-trips through Parquet and imports as an identical new dataset", async () => {
  const {cases} = await withReadConnection(workspace, (c) => readDatasetCases(c, "tau-airline"));
  assert.equal(cases.filter((c) => c.kind === "confirmed_failure").length, 116);
  assert.ok(cases.length > 116);
  const path = join(root, "tau airline's cases.parquet");
  await writeCases(path, cases);
  const back = await readCases(path);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.cases, cases);
  const written = await withConnection(workspace, (c) =>
    writeNextVersion(c, {
      name: "tau-copy",
      add: back.cases,
      createdBy: "bo",
      source: "import",
      note: null,
      now: new Date()
    })
  );
  assert.equal(written.version, 1);
  assert.deepEqual((await withReadConnection(workspace, (c) => readDatasetCases(c, "tau-copy"))).cases, cases);
});
