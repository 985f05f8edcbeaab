import assert from "node:assert/strict";
import {test} from "node:test";
import {QUEUE_VERSION, type Queue} from "../schemas/queue.js";
import type {ReviewOutcome} from "../schemas/reviewOutcome.js";
import {summarizeReviews} from "./reviews.js";

const queue = (id: string, traceIds: string[], perTrace = 2): Queue => ({
  version: QUEUE_VERSION,
  id,
  name: id.toUpperCase(),
  annotators: ["ana", "bo"],
  annotatorsPerTrace: perTrace,
  criterion: "overall",
  size: traceIds.length,
  randomShare: 0,
  seed: 1,
  filter: {model: null, status: null, format: null, text: "", minScore: 0},
  createdAt: 0,
  items: traceIds.map((traceId) => ({traceId, score: 1, random: false, clusterWeight: 1, contributions: []}))
});
const label = (traceId: string, annotator: string, criterion = "overall") => ({traceId, annotator, criterion});
let n = 0;
const outcome = (traceId: string, queueId: string | null, kind: ReviewOutcome["outcome"]): ReviewOutcome => ({
  version: 1,
  id: `o${++n}`,
  traceId,
  queueId,
  outcome: kind,
  note: null,
  dataset: null,
  evaluatorId: null,
  by: "ana",
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString()
});

test("a review is complete with all its annotators; it led nowhere with no outcome or only 'none'", () => {
  const labels = [
    label("t1", "ana"),
    label("t1", "bo"),
    label("t2", "ana"),
    label("t2", "bo"),
    label("t3", "ana"),
    label("t3", "bo"),
    label("t4", "ana"),
    label("t4", "bo", "tone"),
    label("t5", "ana"),
    label("t5", "bo")
  ];
  const summary = summarizeReviews([queue("q", ["t1", "t2", "t3", "t4", "t5"])], labels, [
    outcome("t1", "q", "dataset_case"),
    outcome("t2", "q", "none"),
    outcome("t3", null, "none"),
    outcome("t3", null, "product_fix"),
    outcome("t5", "other-queue", "new_evaluator")
  ]);
  // t4 lacks bo's label on the queue's criterion, so it is not complete.
  assert.equal(summary.completed, 4);
  assert.deepEqual(
    summary.reviews.filter((r) => r.ledNowhere).map((r) => r.traceId),
    ["t2", "t5"]
  );
  assert.equal(summary.ledNowhere, 2);
  assert.deepEqual(summary.byOutcome, {
    evaluator_updated: 0,
    new_evaluator: 0,
    dataset_case: 1,
    product_fix: 1,
    none: 2
  });
  assert.deepEqual(
    summary.reviews.find((r) => r.traceId === "t3")!.outcomes.map((o) => o.outcome),
    ["none", "product_fix"]
  );
});
