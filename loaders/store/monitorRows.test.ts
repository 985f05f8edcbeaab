// The monitor's rows read from a workspace, and its data loader run on one as Framework runs it.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {after, before, describe, test} from "node:test";
import type {MonitorData} from "../../src/core/monitor/monitorData.js";
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
import {readMonitorRows} from "./monitorRows.js";
import {withReadConnection} from "./read.js";

const DAY = 864e5;

describe("the monitor's rows", {timeout: 120_000}, () => {
  let workspace = "";
  before(async () => {
    workspace = tempDir("monitor");
    await writeMonitorWorkspace(workspace);
  });
  after(() => removeTempDir(workspace));

  test("hold every trace with its own start time, or none, and the time it was received", async () => {
    const rows = await withReadConnection(workspace, readMonitorRows);
    assert.equal(rows.traces.length, DATED + UNDATED);
    const undated = rows.traces.filter((t) => t.startTime === null);
    assert.equal(undated.length, UNDATED);
    assert.ok(undated.every((t) => t.receivedAt === Date.parse("2026-11-10T12:00:00Z")));
    const first = rows.traces.find((t) => t.traceId === "m-0-0")!;
    assert.equal(first.startTime, MONITOR_START);
    assert.equal(first.model, "gpt-4o-mini");
  });

  test("keep each evaluator version's latest verdict on a trace, and a verdict over a later failed call", async () => {
    const version = calibratedVersion();
    const base = (await withReadConnection(workspace, readMonitorRows)).verdicts.find(
      (v) => v.traceId === "m-0-5" && v.evaluatorId === CALIBRATED_EVALUATOR
    )!;
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
    const flipped = base.outcome === "pass" ? "fail" : "pass";
    await withConnection(workspace, (c) =>
      writeVerdicts(c, [rerun(flipped, "2026-11-26T00:00:00Z"), rerun("error", "2026-11-27T00:00:00Z")])
    );
    const verdicts = (await withReadConnection(workspace, readMonitorRows)).verdicts.filter(
      (v) => v.traceId === "m-0-5" && v.evaluatorId === CALIBRATED_EVALUATOR
    );
    assert.deepEqual(
      verdicts.map((v) => v.outcome),
      [flipped]
    );
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
