import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {NewAnnotationSchema} from "../schemas/annotation.js";
import type {CalibrationSnapshot} from "../schemas/calibrationSnapshot.js";
import {acceptedLabelFields, failureDraftSuggestions, judgeSuggestions, type DraftVerdict} from "./draftSuggestions.js";

const verdict = (over: Partial<DraftVerdict>): DraftVerdict => ({
  evaluatorId: "refund",
  evaluatorVersion: "1+aaa",
  criterion: "overall",
  failureMode: "wrong refund",
  traceId: "t1",
  outcome: "fail",
  reasoning: "refunded twice",
  runId: "run-1",
  ...over
});

const snapshot = (over: Partial<CalibrationSnapshot>): CalibrationSnapshot => ({
  evaluatorId: "refund",
  evaluatorVersion: "1+aaa",
  criterion: "overall",
  labelSet: "overall@000000000000",
  takenAt: "2026-12-01T00:00:00.000Z",
  source: "calibrate update",
  split: "all",
  n: 60,
  confusion: {tp: 28, fp: 2, fn: 2, tn: 28},
  mcc: 0.87,
  mccInterval: null,
  ...over
});

describe("judgeSuggestions(verdicts, snapshots)", () => {
  test("drafts only from versions with a recorded calibration, and carries the latest one's status", () => {
    const drafts = judgeSuggestions(
      [verdict({}), verdict({evaluatorVersion: "2+bbb", traceId: "t2"}), verdict({traceId: "t3", outcome: "pass"})],
      [
        snapshot({mcc: 0.1, confusion: {tp: 1, fp: 9, fn: 9, tn: 11}, n: 30}),
        snapshot({takenAt: "2026-12-02T00:00:00.000Z"})
      ]
    );
    assert.deepEqual(
      drafts.map((d) => [d.traceId, d.pass, d.failureMode, d.calibration.status, d.calibration.mcc]),
      [
        ["t1", false, "wrong refund", "blocks", 0.87],
        ["t3", true, null, "blocks", 0.87]
      ]
    );
    assert.match(drafts[0]!.calibration.reason, /MCC 0\.870 on n 60/);
  });

  test("a version whose MCC is undefined still drafts, marked uncalibrated", () => {
    const [draft] = judgeSuggestions([verdict({})], [snapshot({mcc: null})]);
    assert.equal(draft!.calibration.status, "uncalibrated");
  });
});

describe("acceptedLabelFields(suggestion)", () => {
  test("gives a valid label naming the evaluator, version and run it was accepted from", () => {
    const [draft] = judgeSuggestions([verdict({})], [snapshot({})]);
    const fields = acceptedLabelFields(draft!);
    const label = NewAnnotationSchema.parse({
      traceId: "t1",
      criterion: "overall",
      annotator: "ana",
      source: "reviewer",
      ...fields
    });
    assert.equal(label.pass, false);
    assert.equal(label.failureMode, "wrong refund");
    assert.equal(label.explanation, "refunded twice");
    assert.deepEqual(label.acceptedFrom, {
      kind: "judge_verdict",
      evaluatorId: "refund",
      evaluatorVersion: "1+aaa",
      draftId: "run-1"
    });
  });
});

describe("failureDraftSuggestions(drafts)", () => {
  test("suggests a failure explained in the newest draft of each model, marked uncalibrated", () => {
    const draft = (text: string, createdAt: string, model = "m") => ({
      traceId: "t1",
      model,
      promptVersion: "draft-1",
      evidenceHash: "a".repeat(64),
      text,
      createdAt
    });
    const drafts = failureDraftSuggestions([
      draft("old", "2026-12-01T00:00:00.000Z"),
      draft("new", "2026-12-02T00:00:00.000Z"),
      draft("other", "2026-12-01T00:00:00.000Z", "n")
    ]);
    assert.deepEqual(
      drafts.map((d) => [d.evaluatorId, d.explanation, d.pass, d.calibration.status]),
      [
        ["m", "new", false, "uncalibrated"],
        ["n", "other", false, "uncalibrated"]
      ]
    );
    assert.equal(acceptedLabelFields(drafts[0]!).acceptedFrom.kind, "failure_draft");
  });
});
