// The monitor's rows read from a workspace, and its data loader run on one as Framework runs it.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {after, before, describe, test} from "node:test";
import {bucketStart, type BucketUnit} from "../../src/core/monitor/buckets.js";
import type {MonitorData} from "../../src/core/monitor/monitorData.js";
import {quantile} from "../../src/core/monitor/percentile.js";
import {REPO_ROOT} from "../browser/buildSite.js";
import {
  CALIBRATED_EVALUATOR,
  DATED,
  calibratedVersion,
  MONITOR_START,
  STEP_DAY,
  COST_STEP_DAY,
  UNDATED,
  writeMonitorWorkspace
} from "../fixtures/monitorWorkspace.js";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {withConnection} from "./db.js";
import {writeVerdicts, type VerdictRow} from "./judgeVerdicts.js";
import {bucketStartSql, readMonitorRows} from "./monitorRows.js";
import {withReadConnection} from "./read.js";

const DAY = 864e5;

describe("the monitor's rows", {timeout: 120_000}, () => {
  let workspace = "";
  before(async () => {
    workspace = tempDir("monitor");
    await writeMonitorWorkspace(workspace);
  });
  after(() => removeTempDir(workspace));

  test("say which time places each trace: its own start, else when it was received", async () => {
    const {extent} = await withReadConnection(workspace, readMonitorRows);
    assert.deepEqual(extent.timeBasis, {start: DATED, received: UNDATED, none: 0});
    assert.equal(extent.traces, DATED + UNDATED);
    assert.equal(extent.first, MONITOR_START);
    assert.ok(extent.last! > Date.parse("2026-11-20T00:00:00Z"));
  });

  test("sum each model's day as its traces say, with the percentiles of percentile.ts", async () => {
    const rows = await withReadConnection(workspace, readMonitorRows);
    const traces = (
      await withReadConnection(workspace, async (c) =>
        (
          await c.runAndReadAll(
            `SELECT latency_ms, cost_usd, total_tokens, status FROM traces
            WHERE model = 'gpt-4o-mini' AND start_time >= TIMESTAMP '2026-11-04' AND start_time < TIMESTAMP '2026-11-05'`
          )
        ).getRowObjectsJS()
      )
    ).map((r) => ({
      latency: Number(r.latency_ms),
      cost: Number(r.cost_usd),
      tokens: Number(r.total_tokens),
      status: r.status
    }));
    const day3 = rows.models.find((m) => m.model === "gpt-4o-mini" && m.bucket === MONITOR_START + 3 * DAY)!;
    assert.equal(day3.traces, traces.length);
    assert.equal(day3.errors, traces.filter((t) => t.status === "error").length);
    const latencies = traces.map((t) => t.latency);
    assert.deepEqual(
      [day3.p50, day3.p95, day3.p99],
      [quantile(latencies, 0.5), quantile(latencies, 0.95), quantile(latencies, 0.99)]
    );
    assert.equal(
      day3.tokens,
      traces.reduce((s, t) => s + t.tokens, 0)
    );
    assert.ok(Math.abs(day3.costUsd! - traces.reduce((s, t) => s + t.cost, 0)) < 1e-12);
    assert.equal(day3.costed, traces.length);
  });

  test("leave a bucket's tokens, cost and percentiles unknown, not zero, when none of its traces reports them", async () => {
    const small = tempDir("monitor-unknown");
    try {
      await withConnection(small, (c) =>
        c.run(`INSERT INTO traces (trace_id, format, start_time, latency_ms, status, model, total_tokens, cost_usd,
            ingested_at, span_count, message_count, tool_call_count, tool_error_count, feedback_count)
          VALUES ('quiet', 'otlp', TIMESTAMP '2026-11-01 10:00', NULL, 'error', 'm', NULL, NULL, now(), 0, 0, 0, 0, 0),
            ('later', 'otlp', TIMESTAMP '2026-11-04 10:00', 120, 'ok', 'm', 10, 0.5, now(), 0, 0, 0, 0, 0)`)
      );
      const rows = await withReadConnection(small, readMonitorRows);
      assert.deepEqual(
        rows.models.map((m) => [m.bucket, m.traces, m.errors, m.p50, m.tokens, m.costUsd, m.costed]),
        [
          [Date.parse("2026-11-01T00:00:00Z"), 1, 1, null, null, null, 0],
          [Date.parse("2026-11-04T00:00:00Z"), 1, 0, 120, 10, 0.5, 1]
        ]
      );
    } finally {
      removeTempDir(small);
    }
  });

  test("keep each evaluator version's latest verdict on a trace, and a verdict over a later failed call", async () => {
    const version = calibratedVersion();
    const day0 = async () =>
      (await withReadConnection(workspace, readMonitorRows)).evaluators.find(
        (v) => v.bucket === MONITOR_START && v.evaluatorId === CALIBRATED_EVALUATOR
      )!;
    const before = await day0();
    const base = await withReadConnection(workspace, async (c) =>
      String(
        (
          await c.runAndReadAll(
            `SELECT outcome FROM judge_verdicts WHERE trace_id = 'm-0-5' AND evaluator_id = '${CALIBRATED_EVALUATOR}'`
          )
        ).getRows()[0]![0]
      )
    );
    const rerun = (outcome: VerdictRow["outcome"], at: string): VerdictRow => ({
      runId: `rerun-${outcome}`,
      evaluatorId: CALIBRATED_EVALUATOR,
      evaluatorVersion: version,
      traceId: "m-0-5",
      outcome,
      reasoning: null,
      error: outcome === "error" ? "timeout" : null,
      judgeModel: null,
      promptHash: null,
      datasetVersion: null,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      createdAt: new Date(at)
    });
    const flipped = base === "pass" ? "fail" : "pass";
    await withConnection(workspace, (c) =>
      writeVerdicts(c, [rerun(flipped, "2026-11-26T00:00:00Z"), rerun("error", "2026-11-27T00:00:00Z")])
    );
    const after = await day0();
    const moved = flipped === "fail" ? {pass: -1, fail: 1} : {pass: 1, fail: -1};
    assert.deepEqual(
      [after.pass - before.pass, after.fail - before.fail, after.errors - before.errors],
      [moved.pass, moved.fail, 0]
    );
  });

  test("bucket times in SQL as bucketStart does, for every unit", async () => {
    const times = [MONITOR_START, MONITOR_START - 1, 0, 1, Date.parse("2024-02-29T23:59:59.999Z"), 1_765_000_123_456];
    for (let i = 0; i < 40; i++) times.push(Math.floor(1e12 + i * 37_123_456_789.5));
    const units: BucketUnit[] = ["hour", "day", "week", "month"];
    const sql = units.map((unit) => `${bucketStartSql("t", unit)} AS ${unit}`).join(", ");
    const got = await withReadConnection(workspace, async (c) =>
      (
        await c.runAndReadAll(`SELECT ${sql} FROM (VALUES ${times.map((t) => `(${t}::BIGINT)`).join(", ")}) v(t)`)
      ).getRowObjectsJS()
    );
    got.forEach((row, i) => {
      for (const unit of units) assert.equal(Number(row[unit]), bucketStart(times[i]!, unit), `${unit} of ${times[i]}`);
    });
  });

  test("the data loader gives the page its series, the corrected rate of the calibrated evaluator and the flags", () => {
    const run = spawnSync(process.execPath, ["loaders/site/runLoader.mjs", "src/data/monitor.json.ts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: {...process.env, PLUMBLINE_DEV: "1", PLUMBLINE_WORKSPACE: workspace}
    });
    assert.equal(run.status, 0, run.stderr);
    const data = JSON.parse(run.stdout) as MonitorData;
    assert.deepEqual(data.timeBasis, {start: DATED, received: UNDATED, none: 0});
    assert.equal(data.unit, "day");
    const calibrated = data.evaluators.find((e) => e.evaluatorId === CALIBRATED_EVALUATOR)!;
    assert.equal(calibrated.calibrated, true);
    assert.ok(calibrated.points.every((p) => p.corrected !== null && p.low! <= p.corrected && p.corrected <= p.high!));
    assert.equal(data.evaluators.find((e) => e.evaluatorId === "tone-check")!.calibrated, false);
    const day = (f: {bucket: number}) => (f.bucket - MONITOR_START) / DAY;
    const evaluatorFlags = data.flags.filter((f) => f.kind === "evaluator failure rate").map(day);
    assert.ok(evaluatorFlags.includes(STEP_DAY), evaluatorFlags.join(", "));
    assert.ok(
      evaluatorFlags.every((d) => d >= STEP_DAY),
      evaluatorFlags.join(", ")
    );
    const costFlags = data.flags.filter((f) => f.kind === "model cost per trace");
    assert.ok(
      costFlags.some((f) => f.subject === "gpt-4o-mini" && day(f) === COST_STEP_DAY),
      JSON.stringify(costFlags)
    );
    assert.ok(
      costFlags.every((f) => f.subject === "gpt-4o-mini" && day(f) >= COST_STEP_DAY),
      JSON.stringify(costFlags)
    );
  });
});
