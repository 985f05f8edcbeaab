import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {
  monitorData,
  type EvaluatorBucket,
  type ModelBucket,
  type MonitorBuckets,
  type MonitorExtent
} from "./monitorData.js";

const DAY = 864e5;
const START = Date.parse("2026-11-01T00:00:00Z");

/**
 * Twenty days of 100 traces a day, as the store sums them per day: half on gpt-a (every error among them), half on
 * gpt-b; from day 15 the evaluator, which judges half the traces, fails 40 % instead of 10 %, and gpt-b costs
 * double. Costs vary a little from day to day, as a real mix of requests does.
 */
function workload(): MonitorBuckets {
  const evaluators: EvaluatorBucket[] = [];
  const models: ModelBucket[] = [];
  for (let day = 0; day < 20; day++) {
    const bucket = START + day * DAY;
    const fail = day >= 15 ? 20 : 5;
    evaluators.push({evaluatorId: "judge", evaluatorVersion: "1+a", bucket, pass: 50 - fail, fail, errors: 0});
    for (const model of ["gpt-a", "gpt-b"]) {
      let costUsd = 0;
      for (let k = model === "gpt-a" ? 0 : 1; k < 100; k += 2)
        costUsd += (model === "gpt-b" && day >= 15 ? 0.02 : 0.01) * (1 + ((k + day) % 7) / 100);
      const errors = model === "gpt-a" ? 5 : 0;
      models.push({
        model,
        bucket,
        traces: 50,
        errors,
        p50: 149,
        p95: 193.1,
        p99: 197.02,
        tokens: 500,
        costUsd,
        costed: 50
      });
    }
  }
  return {evaluators, models, labelled: [], failureModes: []};
}

const EXTENT: MonitorExtent = {
  traces: 2002,
  timeBasis: {start: 2000, received: 1, none: 1},
  first: START,
  last: START + 19 * DAY + 99 * 60_000
};

describe("monitorData", () => {
  const rows = workload();
  const data = monitorData({
    extent: EXTENT,
    ...rows,
    calibrations: [{evaluatorId: "judge", evaluatorVersion: "1+a", confusion: {tp: 40, fn: 10, tn: 90, fp: 10}}],
    resamples: 500
  });

  test("says which time placed each trace, and buckets twenty days by the day", () => {
    assert.deepEqual(data.timeBasis, {start: 2000, received: 1, none: 1});
    assert.equal(data.unit, "day");
    assert.equal(data.buckets.length, 20);
  });

  test("gives each bucket its pass rate, the share evaluated, and the corrected rate inside its band", () => {
    const [judge] = data.evaluators;
    assert.equal(judge!.calibrated, true);
    const day0 = judge!.points[0]!;
    assert.equal(day0.pass + day0.fail, 50);
    assert.equal(day0.passRate, 0.9);
    assert.equal(day0.evaluatedShare, 50 / 100);
    // Rogan–Gladen with TPR 0.8, TNR 0.9: (0.1 + 0.9 − 1) / 0.7 = 0 failures.
    assert.equal(day0.corrected, 1);
    const day19 = judge!.points[19]!;
    assert.equal(day19.passRate, 0.6);
    assert.ok(Math.abs(day19.corrected! - (1 - (0.4 + 0.9 - 1) / 0.7)) < 1e-9);
    assert.ok(day19.low! <= day19.corrected! && day19.corrected! <= day19.high!);
  });

  test("flags the evaluator's step and the model's cost step on the day they happen, and nothing before", () => {
    const flags = data.flags.map((f) => `${f.kind} ${f.subject} ${(f.bucket - START) / DAY}`);
    assert.ok(flags.includes("evaluator failure rate judge 1+a 15"), flags.join("\n"));
    assert.ok(flags.includes("model cost per trace gpt-b 15"), flags.join("\n"));
    assert.ok(
      data.flags.every((f) => f.bucket >= START + 15 * DAY),
      flags.join("\n")
    );
    assert.ok(!flags.some((f) => f.includes("gpt-a")), flags.join("\n"));
  });

  test("lays each model's buckets out with its error rate and cost per trace, in the order of volume", () => {
    assert.deepEqual(
      data.models.map((m) => [m.model, m.traces]),
      [
        ["gpt-a", 1000],
        ["gpt-b", 1000]
      ]
    );
    const day3 = data.models[0]!.points[3]!;
    assert.equal(day3.errorRate, 0.1);
    assert.deepEqual([day3.p50, day3.tokens], [149, 500]);
    assert.equal(day3.costPerTrace, day3.costUsd! / 50);
  });

  test("fills the buckets a model has no trace in with nothing: no rate, no percentile, no cost", () => {
    const gap = monitorData({
      extent: {...EXTENT, first: START, last: START + 3 * DAY},
      ...rows,
      models: rows.models.filter((r) => r.model === "gpt-a" && (r.bucket === START || r.bucket === START + 3 * DAY)),
      evaluators: [],
      calibrations: []
    });
    assert.deepEqual(
      gap.models[0]!.points.map((p) => [p.traces, p.errorRate, p.p50, p.costUsd]),
      [
        [50, 0.1, 149, gap.models[0]!.points[0]!.costUsd],
        [0, null, null, null],
        [0, null, null, null],
        [50, 0.1, 149, gap.models[0]!.points[3]!.costUsd]
      ]
    );
  });

  test("flags a failure mode whose share of labelled traces steps up", () => {
    const labelled = rows.evaluators.map((r) => ({bucket: r.bucket, labelled: 100}));
    const failureModes = rows.evaluators.map((r) => ({
      failureMode: "wrong refund",
      bucket: r.bucket,
      failing: r.bucket >= START + 15 * DAY ? 30 : 5
    }));
    const withLabels = monitorData({
      extent: EXTENT,
      ...rows,
      labelled,
      failureModes,
      evaluators: [],
      calibrations: [],
      resamples: 10
    });
    const [mode] = withLabels.failureModes;
    assert.equal(mode!.failureMode, "wrong refund");
    assert.equal(mode!.failing, 15 * 5 + 5 * 30);
    const days = withLabels.flags.filter((f) => f.kind === "failure mode share").map((f) => (f.bucket - START) / DAY);
    assert.ok(days.includes(15), days.join(", "));
    assert.ok(
      days.every((d) => d >= 15),
      days.join(", ")
    );
  });

  test("refuses a bucket that is not one of the extent's, rather than drawing it somewhere else", () => {
    assert.throws(
      () => monitorData({extent: EXTENT, ...rows, models: [{...rows.models[0]!, bucket: START + 1}], calibrations: []}),
      /not a day between/
    );
  });

  test("a workspace with no dated trace has no buckets and says how many traces it left out", () => {
    const none = monitorData({
      extent: {traces: 1, timeBasis: {start: 0, received: 0, none: 1}, first: null, last: null},
      evaluators: [],
      models: [],
      labelled: [],
      failureModes: [],
      calibrations: []
    });
    assert.equal(none.unit, null);
    assert.deepEqual(none.timeBasis, {start: 0, received: 0, none: 1});
  });
});
