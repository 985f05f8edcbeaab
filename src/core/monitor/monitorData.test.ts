import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {monitorData, type MonitorTrace, type MonitorVerdict} from "./monitorData.js";

const DAY = 864e5;
const START = Date.parse("2026-11-01T00:00:00Z");

/**
 * Twenty days of 100 traces a day; from day 15 the evaluator fails 40 % instead of 10 %, and gpt-b costs double.
 * Costs vary a little from day to day, as a real mix of requests does.
 */
function workload() {
  const traces: MonitorTrace[] = [];
  const verdicts: MonitorVerdict[] = [];
  for (let day = 0; day < 20; day++) {
    for (let k = 0; k < 100; k++) {
      const traceId = `t${day}-${k}`;
      const model = k % 2 ? "gpt-b" : "gpt-a";
      traces.push({
        traceId,
        startTime: START + day * DAY + k * 60_000,
        receivedAt: null,
        model,
        status: k % 20 === 0 ? "error" : "ok",
        latencyMs: 100 + k,
        tokens: 10,
        costUsd: (model === "gpt-b" && day >= 15 ? 0.02 : 0.01) * (1 + ((k + day) % 7) / 100)
      });
      // Half the traces are evaluated.
      if (k % 2 === 0)
        verdicts.push({
          evaluatorId: "judge",
          evaluatorVersion: "1+a",
          traceId,
          outcome: (k / 2) % 10 < (day >= 15 ? 4 : 1) ? "fail" : "pass"
        });
    }
  }
  return {traces, verdicts};
}

describe("monitorData", () => {
  const {traces, verdicts} = workload();
  const undated: MonitorTrace = {...traces[0]!, traceId: "undated", startTime: null, receivedAt: null};
  const received: MonitorTrace = {...traces[0]!, traceId: "received", startTime: null, receivedAt: START + DAY};
  const data = monitorData({
    traces: [...traces, undated, received],
    verdicts,
    labels: [],
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

  test("gives each model its volume, error rate, latency percentiles, tokens and cost per bucket", () => {
    const a = data.models.find((m) => m.model === "gpt-a")!;
    const day3 = a.points[3]!;
    assert.equal(day3.traces, 50);
    assert.equal(day3.errors, 5);
    assert.equal(day3.errorRate, 0.1);
    // Latencies 100, 102, …, 198: the median is 149.
    assert.equal(day3.p50, 149);
    assert.ok(day3.p95! > day3.p50! && day3.p99! > day3.p95!);
    assert.equal(day3.tokens, 500);
  });

  test("flags a failure mode whose share of labelled traces steps up", () => {
    const labels = traces.map((t, i) => {
      const day = Math.floor(i / 100);
      const failing = i % 100 < (day >= 15 ? 30 : 5);
      return {traceId: t.traceId, pass: !failing, failureMode: failing ? "wrong refund" : null};
    });
    const withLabels = monitorData({traces, verdicts: [], labels, calibrations: [], resamples: 10});
    const [mode] = withLabels.failureModes;
    assert.equal(mode!.failureMode, "wrong refund");
    const days = withLabels.flags.filter((f) => f.kind === "failure mode share").map((f) => (f.bucket - START) / DAY);
    assert.ok(days.includes(15), days.join(", "));
    assert.ok(
      days.every((d) => d >= 15),
      days.join(", ")
    );
  });

  test("leaves a period's tokens and cost unknown, not zero, when none of its traces reports them", () => {
    const quiet = monitorData({
      traces: [
        {...traces[0]!, tokens: null, costUsd: null},
        {...traces[0]!, traceId: "later", startTime: START + 3 * DAY, status: "ok", tokens: 10, costUsd: 0.5}
      ],
      verdicts: [],
      labels: [],
      calibrations: []
    });
    const points = quiet.models[0]!.points;
    assert.deepEqual(
      points.map((p) => [p.traces, p.tokens, p.costUsd, p.errorRate]),
      [
        [1, null, null, 1],
        [0, null, null, null],
        [0, null, null, null],
        [1, 10, 0.5, 0]
      ]
    );
  });

  test("a workspace with no dated trace has no buckets and says how many traces it left out", () => {
    const none = monitorData({traces: [undated], verdicts: [], labels: [], calibrations: []});
    assert.equal(none.unit, null);
    assert.deepEqual(none.timeBasis, {start: 0, received: 0, none: 1});
  });
});
