import assert from "node:assert/strict";
import {appendFileSync, rmSync} from "node:fs";
import {test} from "node:test";
import {suiteCoverage} from "../../src/core/gate/coverage.js";
import {suitePageData} from "../../src/core/gate/pageData.js";
import {gateRun} from "../../src/core/gate/report.js";
import {appendGateRun, gateRunsPath, readGateRuns} from "./gateRuns.js";
import {tempDir} from "../fixtures/tempDir.js";
import {DEFAULT_TRUST_POLICY} from "../../src/core/calibration/trust.js";

function run(runId: string, at: string) {
  return gateRun(
    {
      runId,
      label: runId,
      at,
      durationMs: 5,
      suite: "/suite",
      candidate: {kind: "traces", name: "f.jsonl", version: null, traces: 3, rejected: 0},
      defaultMinPassRate: 0.95,
      trust: DEFAULT_TRUST_POLICY
    },
    [],
    suiteCoverage([{name: "unwatched", state: "new"}], [])
  );
}

test("the suite page reads every run of the log, newest first, and a torn or foreign line is reported, not fatal", () => {
  const workspace = tempDir("gate-runs");
  try {
    assert.deepEqual(suitePageData(readGateRuns(workspace).runs, []), {latest: null, runs: [], problems: []});
    appendGateRun(workspace, run("first", "2026-11-01T10:00:00.000Z"));
    appendGateRun(workspace, run("second", "2026-11-02T10:00:00.000Z"));
    appendFileSync(
      gateRunsPath(workspace),
      `${JSON.stringify({...run("future", "2026-11-03T10:00:00.000Z"), format: 9})}\n{"format": 1, "runId": "torn`
    );
    const {runs, problems} = readGateRuns(workspace);
    assert.deepEqual(
      runs.map((r) => r.runId),
      ["first", "second"]
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /gate-runs\.jsonl:3: format 9 is newer/);
    assert.match(problems[1]!, /gate-runs\.jsonl:4: not valid JSON/);
    const data = suitePageData(runs, problems);
    assert.equal(data.latest!.runId, "second");
    assert.deepEqual(
      data.runs.map((r) => [r.runId, r.coverage, r.ran, r.evaluators]),
      [
        ["second", 0, 0, 0],
        ["first", 0, 0, 0]
      ]
    );
  } finally {
    rmSync(workspace, {recursive: true, force: true});
  }
});
