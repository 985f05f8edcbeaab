import assert from "node:assert/strict";
import {test} from "node:test";
import {compareExperiments, type ExperimentCase} from "../experiments/compare.js";
import {gateTransitions} from "../failureModes/gateTransitions.js";
import type {GateEvaluator, GateRun} from "../schemas/gateReport.js";
import {applyBaseline} from "./baseline.js";
import {renderJunit} from "./junit.js";
import {renderMarkdown} from "./markdown.js";

const evaluator = (id: string, role: GateEvaluator["role"]): GateEvaluator =>
  ({
    id,
    file: `${id}.json`,
    kind: "rule",
    failureMode: `mode of ${id}`,
    criterion: "c",
    scope: "trace",
    evaluatorVersion: "1+abc",
    role,
    calibrationStatus: role === "skipped" ? "uncalibrated" : role,
    reason: "",
    warnings: [],
    weakEvidence: false,
    calibration: null,
    versionMatch: null,
    snapshot: null,
    labelDrift: null,
    minPassRate: 0.5,
    thresholdFrom: "option",
    counts: {traces: 10, pass: 8, fail: 2, errors: 0},
    passRate: 0.8,
    failRate: 0.2,
    correctedFailRate: null,
    failingTraces: [],
    calls: 0,
    outcome: role === "skipped" ? "skipped" : "passed"
  }) as GateEvaluator;

const run = {
  format: 1,
  runId: "r",
  label: "candidate",
  at: "2026-01-01T00:00:00.000Z",
  durationMs: 1,
  suite: "s",
  candidate: {kind: "experiment", name: "b", version: null, traces: 10, rejected: 0},
  blocked: false,
  blockedBy: [],
  evaluators: [evaluator("trusted", "blocks"), evaluator("weak", "reports")],
  coverage: {active: 0, covered: 0, share: null, registry: false, modes: []},
  thresholds: {block: 0.6, report: 0.4, defaultMinPassRate: 0.5, trust: {mode: "point", minPerClass: 20}}
} as GateRun;

/** Ten cases; in B the first `regress` cases fail both evaluators where A passed them. */
function sides(regress: number) {
  const cases = (name: string, failing: number) => ({
    name,
    cases: Array.from({length: 10}, (_, i): ExperimentCase => ({
      caseId: `case-${i}`,
      traceId: `${name}-${i}`,
      input: "",
      output: "",
      error: null,
      costUsd: null,
      latencyMs: null,
      verdicts: {trusted: i < failing ? "fail" : "pass", weak: i < failing ? "fail" : "pass"}
    }))
  });
  return compareExperiments(cases("a", 0), cases("b", regress));
}

test("a trusted evaluator blocks when the candidate is significantly below the baseline, even above its threshold", () => {
  // Five regressions and no improvement: p = 1/32 < 0.05, with a pass rate of 50 % that meets the 50 % threshold.
  const gated = applyBaseline(run, sides(5));
  const trusted = gated.evaluators[0]!;
  assert.equal(trusted.outcome, "blocked");
  assert.deepEqual(trusted.baseline!.regressed, ["case-0", "case-1", "case-2", "case-3", "case-4"]);
  assert.equal(trusted.baseline!.pWorse, 1 / 32);
  assert.match(trusted.reason, /significantly below the baseline a: 5 cases regressed, 0 improved/);
  assert.equal(gated.evaluators[1]!.outcome, "warned", "a report-only evaluator warns, never blocks");
  assert.deepEqual(gated.blockedBy, [{failureMode: "mode of trusted", evaluators: ["trusted"]}]);
  assert.match(renderMarkdown(gated), /significantly worse\*\*; regressed: `case-0`/);
  assert.match(renderJunit(gated), /name="baseline_p_worse" value="0.03125"/);
});

test("four regressions are not significant at 0.05 (p = 1/16), but are at a stated level of 0.1", () => {
  assert.equal(applyBaseline(run, sides(4)).blocked, false);
  assert.equal(applyBaseline(run, sides(4)).evaluators[0]!.baseline!.significant, false);
  assert.equal(applyBaseline(run, sides(4), 0.1).blocked, true);
});

test("a failing mode whose fix shipped regresses, a passing one is proposed as resolved, an open one stays failing", () => {
  const states = new Map([
    ["shipped-failing", "fix_shipped"],
    ["shipped-passing", "fix_shipped"],
    ["resolved-failing", "verified_resolved"],
    ["open", "has_evaluator"]
  ] as const);
  const t = gateTransitions(
    [
      {failureMode: "shipped-failing", evaluator: "e1", failed: true},
      {failureMode: "shipped-passing", evaluator: "e2", failed: false},
      {failureMode: "resolved-failing", evaluator: "e3", failed: true},
      {failureMode: "open", evaluator: "e4", failed: true},
      {failureMode: "open", evaluator: "e5", failed: false}
    ],
    states
  );
  assert.deepEqual(
    t.map((x) => [x.failureMode, x.kind, x.to]),
    [
      ["open", "still-failing", null],
      ["resolved-failing", "regressed", "regressed"],
      ["shipped-failing", "regressed", "regressed"],
      ["shipped-passing", "proposed-resolved", "verified_resolved"]
    ]
  );
  assert.deepEqual(t[0]!.failedBy, ["e4"]);
});
