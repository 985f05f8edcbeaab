import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {calibrationOf} from "../calibration/specCalibration.js";
import {compileRule, type RuleContext} from "../evaluator/rule.js";
import {parseEvaluatorSpec, type EvaluatorSpec, type EvaluatorSpecInput} from "../schemas/evaluator.js";
import type {GateEvaluator} from "../schemas/gateReport.js";
import {suiteCoverage} from "./coverage.js";
import {decideEvaluator, planEvaluator} from "./decide.js";
import {escapeMarkdown, renderMarkdown} from "./markdown.js";
import {renderJunit} from "./junit.js";
import {statusText} from "./format.js";
import {blockingModes, gateRun} from "./report.js";
import {ruleCounts} from "./ruleCounts.js";
import {DEFAULT_TRUST_POLICY} from "../calibration/trust.js";

const VERSION = "1.0.0+aaaaaaaaaaaa";

function pairs(tp: number, fp: number, fn: number, tn: number) {
  const make = (n: number, human: "pass" | "fail", judge: "pass" | "fail") =>
    Array.from({length: n}, () => ({human, judge}));
  return [
    ...make(tp, "fail", "fail"),
    ...make(fp, "pass", "fail"),
    ...make(fn, "fail", "pass"),
    ...make(tn, "pass", "pass")
  ];
}

const calibration = (tp: number, fp: number, fn: number, tn: number, evaluatorVersion = VERSION) =>
  calibrationOf(pairs(tp, fp, fn, tn), {
    evaluatorVersion,
    criterion: "overall",
    labels: "test",
    split: "held-out",
    measuredAt: "2026-01-01T00:00:00Z"
  });

function spec(input: Partial<EvaluatorSpecInput> & {id: string}): EvaluatorSpec {
  const parsed = parseEvaluatorSpec({
    version: "1.0.0",
    failureMode: "tool call failed",
    criterion: "overall",
    kind: "rule",
    rule: {op: "tool_call", failed: true},
    ...input
  });
  if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
  return parsed.spec;
}

// MCC of (45, 5, 5, 45) is 0.8; of (30, 20, 20, 30) 0.2; of (40, 13, 10, 37) about 0.54.
const BLOCKS = calibration(45, 5, 5, 45);
const REPORTS = calibration(40, 13, 10, 37);
const WEAK = calibration(30, 20, 20, 30);

describe("planEvaluator(spec, version)", () => {
  test("MCC ≥ 0.6 blocks, 0.4–0.6 reports, below 0.4 or with no calibration is skipped", () => {
    assert.equal(planEvaluator(spec({id: "a", calibration: BLOCKS}), VERSION, "a.json", 0.95).role, "blocks");
    assert.equal(planEvaluator(spec({id: "b", calibration: REPORTS}), VERSION, "b.json", 0.95).role, "reports");
    const weak = planEvaluator(spec({id: "c", calibration: WEAK}), VERSION, "c.json", 0.95);
    assert.deepEqual([weak.role, weak.calibrationStatus], ["skipped", "not-trusted"]);
    const none = planEvaluator(spec({id: "d"}), VERSION, "d.json", 0.95);
    assert.deepEqual([none.role, none.calibrationStatus, none.versionMatch], ["skipped", "uncalibrated", null]);
  });

  test("figures measured on an older version leave the evaluator uncalibrated, however good they are", () => {
    const plan = planEvaluator(
      spec({id: "a", calibration: calibration(50, 0, 0, 50, "0.9.0+bbbbbbbbbbbb")}),
      VERSION,
      "a.json",
      0.95
    );
    assert.deepEqual([plan.role, plan.calibrationStatus, plan.versionMatch], ["skipped", "uncalibrated", false]);
    assert.match(plan.reason, /0\.9\.0\+bbbbbbbbbbbb/);
  });

  test("the spec's own threshold wins over the run's default", () => {
    assert.deepEqual(pick(planEvaluator(spec({id: "a", gate: {minPassRate: 0.8}}), VERSION, "a.json", 0.95)), {
      minPassRate: 0.8,
      thresholdFrom: "spec"
    });
    assert.deepEqual(pick(planEvaluator(spec({id: "a"}), VERSION, "a.json", 0.9)), {
      minPassRate: 0.9,
      thresholdFrom: "option"
    });
  });
});

const pick = (p: {minPassRate: number; thresholdFrom: string}) => ({
  minPassRate: p.minPassRate,
  thresholdFrom: p.thresholdFrom
});

describe("decideEvaluator(plan, counts)", () => {
  const blocking = planEvaluator(spec({id: "a", calibration: BLOCKS}), VERSION, "a.json", 0.95);
  const reporting = planEvaluator(spec({id: "b", calibration: REPORTS}), VERSION, "b.json", 0.95);
  const counts = (pass: number, fail: number, errors = 0) => ({
    pass,
    fail,
    errors,
    failing: fail ? ["t1"] : [],
    calls: 0
  });

  test("a blocking evaluator below its threshold blocks; at the threshold exactly it passes", () => {
    assert.equal(decideEvaluator(blocking, counts(90, 10)).outcome, "blocked");
    assert.equal(decideEvaluator(blocking, counts(19, 1)).outcome, "passed", "19 of 20 is 0.95");
    assert.equal(decideEvaluator(reporting, counts(90, 10)).outcome, "warned");
  });

  test("the corrected failure rate undoes the evaluator's measured errors, with an interval around it", () => {
    // TPR = TNR = 0.9: an observed 10 % failure rate is what a true 0 % gives; 50 % stays 50 %.
    const low = decideEvaluator(blocking, counts(90, 10), {resamples: 500});
    assert.equal(low.failRate, 0.1);
    assert.ok(Math.abs(low.correctedFailRate!.value! - 0) < 1e-12);
    const half = decideEvaluator(blocking, counts(50, 50), {resamples: 500});
    assert.ok(Math.abs(half.correctedFailRate!.value! - 0.5) < 1e-12);
    const [lo, hi] = half.correctedFailRate!.interval!;
    assert.ok(lo < 0.5 && 0.5 < hi && hi - lo < 0.3, `${lo}–${hi}`);
  });

  test("the correction reads the error rates of the population it gates: other failure modes count as passes", () => {
    // The demo's 200 τ-bench runs: the rule flags 36, 27 of them truly "tool error not recovered", which 27 of the
    // 200 are; 89 other runs fail for another mode and 84 pass. The evidence leaves the 89 out (tn 75), so its
    // TNR (75/84) would undo most of the 18 % observed; the gated population holds them (tn 164).
    const evidence = calibration(27, 9, 0, 75);
    const rule = spec({
      id: "tool-error-not-recovered",
      calibration: {...evidence, population: {tp: 27, fp: 9, fn: 0, tn: 164}}
    });
    const gated = decideEvaluator(planEvaluator(rule, VERSION, "t.json", 0.95), counts(164, 36), {resamples: 500});
    assert.equal(gated.failRate, 0.18);
    assert.equal(gated.correctedFailRate!.value!.toFixed(6), (27 / 200).toFixed(6));
    const [lo, hi] = gated.correctedFailRate!.interval!;
    assert.ok(lo < 0.135 && 0.135 < hi, `${lo}–${hi}`);
    const withoutPopulation = spec({id: "old", calibration: evidence});
    const old = decideEvaluator(planEvaluator(withoutPopulation, VERSION, "o.json", 0.95), counts(164, 36), {
      resamples: 500
    });
    assert.ok(old.correctedFailRate!.value! < 0.1, "the evidence's TNR undercorrects to well below the labels' 13.5 %");
  });

  test("judge errors are counted apart: rates come from verdicts, and no verdict at all is an error outcome", () => {
    const some = decideEvaluator(blocking, counts(19, 1, 30));
    assert.deepEqual(some.counts, {traces: 50, pass: 19, fail: 1, errors: 30});
    assert.equal(some.passRate, 0.95);
    const none = decideEvaluator(blocking, counts(0, 0, 20));
    assert.deepEqual([none.outcome, none.passRate], ["error", null]);
    assert.deepEqual(blockingModes([none]), [{failureMode: "tool call failed", evaluators: ["a"]}]);
  });

  test("a skipped evaluator has no counts or rates", () => {
    const skipped = decideEvaluator(planEvaluator(spec({id: "c"}), VERSION, "c.json", 0.95), null);
    assert.deepEqual(
      [skipped.outcome, skipped.counts, skipped.passRate, skipped.correctedFailRate],
      ["skipped", null, null, null]
    );
  });
});

describe("ruleCounts(scope, predicate, items)", () => {
  const ctx = (failedSpan: string | null, sessionTool: boolean): RuleContext => ({
    status: "ok",
    fields: {},
    messages: [],
    spans: [
      {spanId: "s1", name: "a", kind: "llm", attributes: {}},
      {spanId: "s2", name: "b", kind: "tool", attributes: {}}
    ],
    toolCalls: sessionTool
      ? [{name: "x", arguments: null, result: null, success: failedSpan === null ? true : false, spanId: failedSpan}]
      : []
  });
  const items = [
    {traceId: "t1", sessionId: "s", rule: ctx("s2", true)},
    {traceId: "t2", sessionId: "s", rule: ctx(null, false)},
    {traceId: "t3", sessionId: null, rule: ctx(null, false)}
  ];
  const failed = compileRule({op: "tool_call", failed: true});
  test("per trace, per span (any span fails the trace) and per thread (every trace of the session shares the verdict)", () => {
    assert.deepEqual(ruleCounts("trace", failed, items), {pass: 2, fail: 1, failing: ["t1"]});
    assert.deepEqual(ruleCounts("span", failed, items), {pass: 2, fail: 1, failing: ["t1"]});
    assert.deepEqual(ruleCounts("thread", failed, items), {pass: 1, fail: 2, failing: ["t1", "t2"]});
    assert.deepEqual(ruleCounts("thread", failed, items, 1).failing, ["t1"]);
  });
});

describe("suiteCoverage(registry, evaluators)", () => {
  const decided = (id: string, failureMode: string, cal = BLOCKS, version = VERSION): GateEvaluator =>
    decideEvaluator(planEvaluator(spec({id, failureMode, calibration: cal}), version, `${id}.json`, 0.95), {
      pass: 1,
      fail: 0,
      errors: 0,
      failing: [],
      calls: 0
    });

  test("active modes are the registry's unresolved ones plus the specs' own; uncovered ones say why", () => {
    const registry = [
      {name: "wrong refund", state: "annotated"},
      {name: "fixed long ago", state: "verified_resolved"},
      {name: "nobody checks", state: "new"},
      {name: "stale check", state: "has_evaluator"}
    ];
    const evaluators = [
      decided("refund", "wrong refund"),
      decided("old", "fixed long ago"),
      decided("stale", "stale check", calibration(45, 5, 5, 45, "0.1.0+cccccccccccc")),
      decided("extra", "only in specs", REPORTS)
    ];
    const c = suiteCoverage(registry, evaluators);
    assert.deepEqual(
      c.modes.map((m) => [m.name, m.covered]),
      [
        ["nobody checks", false],
        ["only in specs", true],
        ["stale check", false],
        ["wrong refund", true]
      ]
    );
    assert.deepEqual([c.active, c.covered, c.share, c.registry], [4, 2, 0.5, true]);
    assert.equal(c.modes[0]!.why, "no evaluator in the suite");
    assert.match(c.modes[2]!.why, /stale: uncalibrated \(calibrated as 0\.1\.0\+cccccccccccc/);
    assert.equal(c.modes[1]!.state, null);
  });

  test("without a registry, only the specs' modes count", () => {
    const c = suiteCoverage(null, [decided("a", "x"), decided("b", "y", WEAK)]);
    assert.deepEqual([c.active, c.covered, c.registry], [2, 1, false]);
  });
});

describe("renderMarkdown(run)", () => {
  test("names what blocked, and escapes Markdown and HTML in names", () => {
    const hostile = 'tool <img src=x onerror=alert(1)> | *bold* & "quoted"';
    const e = decideEvaluator(
      planEvaluator(spec({id: "a", failureMode: hostile, calibration: BLOCKS}), VERSION, "a.json", 0.95),
      {pass: 1, fail: 9, errors: 0, failing: ["t1"], calls: 0}
    );
    const run = gateRun(
      {
        runId: "r",
        label: "cand",
        at: "2026-01-01T00:00:00.000Z",
        durationMs: 1,
        suite: "/s",
        candidate: {kind: "traces", name: "f", version: null, traces: 10, rejected: 0},
        defaultMinPassRate: 0.95,
        trust: DEFAULT_TRUST_POLICY
      },
      [e],
      suiteCoverage(null, [e])
    );
    const md = renderMarkdown(run);
    assert.match(md, /\*\*❌ Blocked\*\* by \*\*tool &lt;img/);
    assert.ok(!md.includes("<img"), "no raw HTML");
    assert.ok(md.includes("\\| \\*bold\\* &amp; &quot;quoted&quot;"), md);
    assert.equal(escapeMarkdown("a\nb"), "a b");
    assert.equal(
      escapeMarkdown("red \u001b[31mtool\u001b[0m\u0000\tcall\u2028x\u0085y"),
      "red  \\[31mtool \\[0m call x y"
    );
    // Every table row has as many cells as the header, so the escaped pipe did not split one.
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    assert.ok(rows.every((r) => cells(r) === cells(rows[0]!)));
  });
});

describe("the trust policy in the gate", () => {
  // Five held-out traces, all right: MCC 1.000, but its interval reaches far below 0.4.
  const TINY = calibration(2, 0, 0, 3);
  const tiny = spec({id: "tiny", calibration: TINY});
  const inverted = spec({id: "inverted", failureMode: "inverted", calibration: calibration(5, 45, 45, 5)});
  const meta = (trust: typeof DEFAULT_TRUST_POLICY) => ({
    runId: "r",
    label: "cand",
    at: "2026-01-01T00:00:00.000Z",
    durationMs: 1,
    suite: "/s",
    candidate: {kind: "traces" as const, name: "f", version: null, traces: 100, rejected: 0},
    defaultMinPassRate: 0.95,
    trust
  });
  const counts = {pass: 82, fail: 18, errors: 0, failing: ["t1"], calls: 0};

  test("by default, an MCC that would block on weak evidence only reports, and says why", () => {
    const plan = planEvaluator(tiny, VERSION, "tiny.json", 0.95);
    assert.deepEqual([plan.role, plan.calibrationStatus, plan.weakEvidence], ["reports", "reports", true]);
    const e = decideEvaluator(plan, counts);
    assert.equal(e.outcome, "warned");
    assert.match(statusText(e), /^reports \(weak evidence: only 2 human-labelled failures \(want at least 20\); /);
    // The corrected rate carries the judge's uncertain rates: no longer 18.0 % [18.0 %, 18.0 %].
    const [low, high] = e.correctedFailRate!.interval!;
    assert.ok(low < 0.1 && high > 0.3, `${low}–${high}`);
  });

  test("--trust point blocks on the MCC alone, and keeps the warnings", () => {
    const plan = planEvaluator(tiny, VERSION, "tiny.json", 0.95, {mode: "point", minPerClass: 20});
    assert.deepEqual([plan.role, plan.weakEvidence], ["blocks", false]);
    assert.ok(plan.warnings.some((w) => /crosses 0\.6 and 0\.4/.test(w)));
    assert.equal(decideEvaluator(plan, counts).outcome, "blocked");
  });

  test("the Markdown and the JUnit XML name the policy, the weak evidence and an inverted verdict", () => {
    const evaluators = [
      decideEvaluator(planEvaluator(tiny, VERSION, "tiny.json", 0.95), counts),
      decideEvaluator(planEvaluator(inverted, VERSION, "inverted.json", 0.95), null)
    ];
    const run = gateRun(meta(DEFAULT_TRUST_POLICY), evaluators, suiteCoverage(null, evaluators));
    const md = renderMarkdown(run);
    assert.match(md, /Trust policy interval: blocking needs MCC ≥ 0\.6, its 95 % interval's lower bound ≥ 0\.4/);
    assert.match(md, /\| 1\.00 reports only \(weak evidence\) \|/);
    assert.match(md, /- `tiny` reports \(weak evidence: only 2 human-labelled failures/);
    assert.match(md, /- `inverted`: not-trusted \(worse than chance: is the verdict inverted\?\)/);
    const xml = renderJunit(run);
    assert.match(xml, /<property name="trust_policy" value="interval: blocking needs/);
    assert.match(xml, /<property name="weak_evidence" value="true"\/>/);
    assert.match(xml, /<property name="calibration_warnings" value="only 2 human-labelled failures/);
    assert.match(xml, /<skipped message="not-trusted \(worse than chance: is the verdict inverted\?\): MCC -0\.800/);
  });
});
