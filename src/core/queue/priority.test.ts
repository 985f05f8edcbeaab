import assert from "node:assert/strict";
import {describe, test} from "node:test";
import type {Queue} from "../schemas/queue.js";
import {pickQueueItems, scoreTraces} from "./priority.js";
import {bulkTargets, itemsFor, queueProgress} from "./progress.js";
import {seededRandom} from "../random.js";
import {modifiedZ, robustScale} from "./robust.js";
import {clusterWeight, contributions, type TraceFeatures} from "./signals.js";

function trace(traceId: string, fields: Partial<TraceFeatures> = {}): TraceFeatures {
  return {
    traceId,
    model: "gpt-4o",
    status: "ok",
    format: "otlp",
    name: null,
    latencyMs: 1000,
    totalTokens: 1000,
    costUsd: 0.01,
    messageCount: 10,
    toolErrors: 0,
    retries: 0,
    negativeFeedback: 0,
    escalations: 0,
    resubmissions: 0,
    hedges: 0,
    judgeDisagreements: 0,
    clusterId: null,
    clusterSize: null,
    clusterEvaluated: null,
    ...fields
  };
}

describe("robust outlier scores", () => {
  test("modifiedZ uses the median and MAD: 0.6745·(x − median)/MAD, computed by hand", () => {
    // Values 1, 2, 3, 4, 100: median 3, deviations 2, 1, 0, 1, 97 → MAD 1; z(100) = 0.6745·97 = 65.4265.
    const scale = robustScale([1, 2, 3, 4, 100])!;
    assert.deepEqual(scale, {median: 3, mad: 1, meanAd: 20.2});
    assert.ok(Math.abs(modifiedZ(100, scale)! - 65.4265) < 1e-9);
    assert.equal(modifiedZ(3, scale), 0);
    assert.equal(modifiedZ(null, scale), null);
  });

  test("when most values are equal (MAD 0) the scaled mean absolute deviation stands in", () => {
    // 2, 2, 2, 2, 7: median 2, MAD 0, mean absolute deviation 1 → z(7) = 5/1.253314.
    const scale = robustScale([2, 2, 2, 2, 7])!;
    assert.ok(Math.abs(modifiedZ(7, scale)! - 5 / 1.253314) < 1e-9);
    assert.equal(modifiedZ(5, robustScale([5, 5, 5])), 0);
  });
});

describe("scoreTraces(features)", () => {
  test("keeps each signal's contribution with its reason, and outliers are judged within their own model", () => {
    const traces = [
      ...Array.from({length: 9}, (_, i) => trace(`small-${i}`, {model: "mini", totalTokens: 100 + i})),
      trace("small-outlier", {model: "mini", totalTokens: 5000}),
      ...Array.from({length: 9}, (_, i) => trace(`large-${i}`, {model: "big", totalTokens: 5000 + i * 10})),
      trace("unhappy", {model: "big", totalTokens: 5040, negativeFeedback: 1, toolErrors: 5, hedges: 1})
    ];
    const scored = scoreTraces(traces);
    const byId = new Map(scored.map((s) => [s.traceId, s]));
    // 5000 tokens is ordinary for "big" but far out for "mini".
    assert.deepEqual(
      byId.get("small-outlier")!.contributions.map((c) => c.signal),
      ["token_outlier"]
    );
    assert.deepEqual(byId.get("large-0")!.contributions, []);
    const unhappy = byId.get("unhappy")!;
    assert.deepEqual(
      unhappy.contributions.map((c) => [c.signal, c.points]),
      [
        ["negative_feedback", 3],
        ["tool_errors", 6],
        ["hedging", 1]
      ]
    );
    assert.equal(unhappy.score, 10);
    assert.match(unhappy.contributions[1]!.reason, /5 failed tool calls/);
    assert.equal(scored[0]!.traceId, "unhappy");
  });

  test("the cluster weight is 1 + ln(size), 1 without a cluster, and multiplies the whole score", () => {
    assert.equal(clusterWeight(null), 1);
    assert.equal(clusterWeight(1), 1);
    assert.ok(Math.abs(clusterWeight(20) - (1 + Math.log(20))) < 1e-12);
    const [a, b] = scoreTraces([
      trace("alone", {toolErrors: 1}),
      trace("crowd", {toolErrors: 1, clusterId: "c1", clusterSize: 20, clusterEvaluated: true})
    ]);
    assert.equal(a!.traceId, "crowd");
    assert.ok(Math.abs(a!.score - 2 * (1 + Math.log(20))) < 1e-12);
    assert.equal(b!.score, 2);
  });

  test("a cluster no evaluator covers yet, judge–human disagreement and escalations all count", () => {
    const [c] = contributions([
      trace("t", {clusterId: "c", clusterSize: 3, clusterEvaluated: false, judgeDisagreements: 1, escalations: 1})
    ]);
    assert.deepEqual(
      c!.map((x) => x.signal),
      ["escalation", "judge_disagreement", "unevaluated_cluster"]
    );
  });
});

describe("pickQueueItems(scored, options)", () => {
  const scored = scoreTraces(
    Array.from({length: 50}, (_, i) => trace(`t${String(i).padStart(2, "0")}`, {toolErrors: i < 10 ? 1 + (i % 3) : 0}))
  );

  test("takes the highest first, mixes in the random share evenly, never repeats a trace, and is the same for the same seed", () => {
    const pick = (seed: number) =>
      pickQueueItems(scored, {size: 10, randomShare: 0.3, minScore: 0, random: seededRandom(seed)});
    const items = pick(7);
    assert.equal(items.length, 10);
    assert.equal(items.filter((i) => i.random).length, 3);
    assert.equal(new Set(items.map((i) => i.traceId)).size, 10);
    assert.ok(items.filter((i) => !i.random).every((i) => i.score > 0));
    assert.ok(items.filter((i) => i.random).every((i) => !items.some((j) => !j.random && j.traceId === i.traceId)));
    // Spread out: not all random picks at the end.
    assert.notDeepEqual(
      items.slice(-3).map((i) => i.random),
      [true, true, true]
    );
    assert.deepEqual(pick(7), items);
    assert.notDeepEqual(
      pick(8)
        .filter((i) => i.random)
        .map((i) => i.traceId),
      items.filter((i) => i.random).map((i) => i.traceId)
    );
  });

  test("excludes traces the queue already holds", () => {
    const first = pickQueueItems(scored, {size: 10, randomShare: 0, minScore: 0, random: seededRandom(1)});
    const more = pickQueueItems(scored, {
      size: 10,
      randomShare: 0.5,
      minScore: 0,
      random: seededRandom(2),
      exclude: new Set(first.map((i) => i.traceId))
    });
    // The ten traces with a score are taken; the second batch has only its five random picks to give.
    assert.equal(more.length, 5);
    assert.equal(new Set([...first, ...more].map((i) => i.traceId)).size, 15);
  });
});

describe("queue progress", () => {
  const queue: Queue = {
    version: 1,
    id: "q",
    name: "q",
    annotators: ["ana", "bo"],
    annotatorsPerTrace: 2,
    criterion: "overall",
    size: 3,
    randomShare: 0,
    seed: 1,
    filter: {model: null, status: null, format: null, text: "", minScore: 0},
    createdAt: 0,
    items: ["a", "b", "c"].map((traceId) => ({traceId, score: 1, random: false, clusterWeight: 1, contributions: []}))
  };
  const labels = [
    {traceId: "a", criterion: "overall", annotator: "ana"},
    {traceId: "a", criterion: "overall", annotator: "bo"},
    {traceId: "b", criterion: "overall", annotator: "ana"},
    {traceId: "b", criterion: "tone", annotator: "bo"},
    {traceId: "zzz", criterion: "overall", annotator: "bo"}
  ];

  test("counts each annotator's done and remaining items, and items complete only with N annotators", () => {
    assert.deepEqual(queueProgress(queue, labels), {
      total: 3,
      complete: 1,
      remaining: 2,
      annotators: [
        {annotator: "ana", done: 2, remaining: 1},
        {annotator: "bo", done: 1, remaining: 2}
      ]
    });
    assert.deepEqual(
      itemsFor(queue, "bo", labels).map((i) => i.traceId),
      ["b", "c"]
    );
  });

  test("only the queue's annotators count: an imported grader's label neither completes a trace nor is listed", () => {
    const graded = [
      {traceId: "a", criterion: "overall", annotator: "ana"},
      {traceId: "a", criterion: "overall", annotator: "tau-bench-grader"},
      {traceId: "b", criterion: "overall", annotator: "tau-bench-grader"}
    ];
    assert.deepEqual(queueProgress(queue, graded), {
      total: 3,
      complete: 0,
      remaining: 3,
      annotators: [
        {annotator: "ana", done: 1, remaining: 2},
        {annotator: "bo", done: 0, remaining: 3}
      ]
    });
    assert.deepEqual(
      itemsFor(queue, "bo", graded).map((i) => i.traceId),
      ["a", "b", "c"]
    );
  });

  test("a bulk action targets only what the filter shows", () => {
    assert.deepEqual(
      bulkTargets(queue.items, (i) => i.traceId !== "b"),
      ["a", "c"]
    );
  });
});
