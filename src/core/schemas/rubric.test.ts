import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {AIRLINE_RUBRIC} from "../annotations/airlineRubric.js";
import {DEFAULT_RUBRIC} from "../annotations/defaultRubric.js";
import {answerPasses, failureModeChoices, parseRubric, type Criterion} from "./rubric.js";
import {NewAnnotationSchema, ScopeSchema} from "./annotation.js";

describe("parseRubric(value)", () => {
  test("a new workspace's rubric is generic: overall pass/fail and notes, with no product's failure modes", () => {
    const rubric = parseRubric(structuredClone(DEFAULT_RUBRIC));
    assert.deepEqual(
      rubric.criteria.map((c) => [c.id, c.kind]),
      [
        ["overall", "boolean"],
        ["notes", "text"]
      ]
    );
    assert.deepEqual(rubric.failureModes, []);
    assert.doesNotMatch(JSON.stringify(rubric), /airline|booking|flight/i);
  });

  test("the demo's airline rubric is valid and has the overall pass/fail criterion and its failure modes", () => {
    const rubric = parseRubric(structuredClone(AIRLINE_RUBRIC));
    assert.equal(rubric.criteria[0]!.id, "overall");
    assert.equal(rubric.criteria[0]!.kind, "boolean");
    assert.ok(rubric.failureModes.length >= 5);
  });

  test("migrates a version-1 rubric (yes/no questions, failure modes as names) to revision 1 of the current format", () => {
    const rubric = parseRubric({
      version: 1,
      name: "old",
      questions: [{id: "overall", text: "Good?"}],
      failureModes: ["rude"]
    });
    assert.deepEqual(rubric, {
      version: 2,
      revision: 1,
      name: "old",
      criteria: [{id: "overall", question: "Good?", kind: "boolean", owner: null}],
      failureModes: [{name: "rude", description: "", severity: null}]
    });
  });

  test("refuses a newer format and says what is wrong with an invalid one", () => {
    assert.throws(() => parseRubric({version: 3}), /format version 3 is newer/);
    assert.throws(
      () => parseRubric({...DEFAULT_RUBRIC, criteria: [DEFAULT_RUBRIC.criteria[0], DEFAULT_RUBRIC.criteria[0]]}),
      /criterion ids must be unique/
    );
    assert.throws(
      () => parseRubric({...DEFAULT_RUBRIC, criteria: [{id: "Bad Id", kind: "boolean", question: "?"}]}),
      /invalid rubric: .*lower-case/s
    );
  });
});

describe("answerPasses(criterion, answer)", () => {
  test("derives pass from a failing category or a numeric threshold, and keeps an explicit pass", () => {
    const resolution = AIRLINE_RUBRIC.criteria.find((c) => c.id === "resolution")!;
    const helpfulness = AIRLINE_RUBRIC.criteria.find((c) => c.id === "helpfulness")! as Criterion;
    assert.equal(answerPasses(resolution, {pass: null, label: "unresolved", score: null}), false);
    assert.equal(answerPasses(resolution, {pass: null, label: "transferred", score: null}), true);
    // Scores are stored in [0, 1]: 0.5 on a 1–5 scale is 3, the threshold.
    assert.equal(answerPasses(helpfulness, {pass: null, label: null, score: 0.5}), true);
    assert.equal(answerPasses(helpfulness, {pass: null, label: null, score: 0.25}), false);
    assert.equal(answerPasses(helpfulness, {pass: false, label: null, score: 1}), false);
    assert.equal(
      answerPasses(
        DEFAULT_RUBRIC.criteria.find((c) => c.id === "notes")!,
        {pass: null, label: "x", score: null}
      ),
      null
    );
  });

  test("the failure-mode picklist is the rubric's categories, then names annotators added, marked new", () => {
    const choices = failureModeChoices(AIRLINE_RUBRIC, ["zeta_new", null, "policy_violation", "alpha_new", "zeta_new"]);
    assert.deepEqual(choices.slice(-2), [
      {name: "alpha_new", isNew: true},
      {name: "zeta_new", isNew: true}
    ]);
    assert.equal(choices.filter((c) => !c.isNew).length, AIRLINE_RUBRIC.failureModes.length);
  });
});

describe("annotation scopes", () => {
  test("a text range must end after it starts, and a new label needs a trace, criterion, source and annotator", () => {
    assert.equal(ScopeSchema.safeParse({kind: "text", messageIndex: 0, start: 5, end: 5, quote: ""}).success, false);
    assert.equal(ScopeSchema.safeParse({kind: "text", messageIndex: 0, start: 5, end: 9, quote: "abcd"}).success, true);
    const parsed = NewAnnotationSchema.safeParse({traceId: "t", criterion: "overall", source: "reviewer"});
    assert.equal(parsed.success, false);
    const ok = NewAnnotationSchema.parse({
      traceId: "t",
      criterion: "overall",
      source: "reviewer",
      annotator: "ana",
      pass: true
    });
    assert.deepEqual(ok.scope, {kind: "trace"});
    assert.deepEqual(ok.metadata, {model: null, promptVersion: null, productArea: null});
  });
});

describe("severity and accepted drafts", () => {
  test("a label reads without severity or draft (older labels) and refuses a severity outside the four", () => {
    const old = NewAnnotationSchema.parse({traceId: "t", criterion: "overall", source: "reviewer", annotator: "ana"});
    assert.equal(old.severity ?? null, null);
    assert.equal(old.acceptedFrom ?? null, null);
    assert.equal("severity" in old, false, "a label that says no severity is written as it was");
    const base = {traceId: "t", criterion: "overall", source: "reviewer", annotator: "ana", pass: false};
    assert.equal(NewAnnotationSchema.safeParse({...base, severity: "critical"}).success, true);
    assert.equal(NewAnnotationSchema.safeParse({...base, severity: "severe"}).success, false);
  });

  test("a label accepted from a judge's verdict names the evaluator, its version and the run", () => {
    const label = NewAnnotationSchema.parse({
      traceId: "t",
      criterion: "overall",
      source: "reviewer",
      annotator: "ana",
      pass: false,
      acceptedFrom: {kind: "judge_verdict", evaluatorId: "refund-policy", evaluatorVersion: "v3", draftId: "run-1"}
    });
    assert.deepEqual(label.acceptedFrom, {
      kind: "judge_verdict",
      evaluatorId: "refund-policy",
      evaluatorVersion: "v3",
      draftId: "run-1"
    });
    assert.equal(
      NewAnnotationSchema.safeParse({...label, acceptedFrom: {kind: "judge_verdict", evaluatorId: ""}}).success,
      false
    );
  });

  test("a rubric's failure mode may carry a usual severity, and a rubric without one still parses", () => {
    const rubric = parseRubric({
      version: 2,
      revision: 1,
      name: "r",
      criteria: [{id: "overall", question: "ok?", kind: "boolean"}],
      failureModes: [{name: "wrong refund", severity: "high"}, {name: "tone"}]
    });
    assert.deepEqual(
      rubric.failureModes.map((m) => m.severity),
      ["high", null]
    );
    assert.throws(() => parseRubric({...rubric, failureModes: [{name: "x", severity: "urgent"}]}), /invalid rubric/);
  });
});
