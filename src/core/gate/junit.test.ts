import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {findAll, parseXml} from "../../../loaders/fixtures/xml.js";
import {calibrationOf} from "../calibration/specCalibration.js";
import {parseEvaluatorSpec} from "../schemas/evaluator.js";
import {suiteCoverage} from "./coverage.js";
import {decideEvaluator, planEvaluator} from "./decide.js";
import {escapeXml, renderJunit} from "./junit.js";
import {gateRun} from "./report.js";

const NASTY = `a <b> & "c" 'd' \u0001\u0008 \uD800 e \u{1F600}`;

describe("renderJunit(run)", () => {
  test("the strict reader refuses what is not well-formed, so a pass below means something", () => {
    for (const bad of ["<a>&</a>", "<a>1 < 2</a>", "<a x=1/>", "<a x='1' x='2'/>", "<a></b>", "<a>&bogus;</a>", "<a/><b/>", "<a>\u0001</a>"]) {
      assert.throws(() => parseXml(bad), Error, bad);
    }
  });

  test("escapes every name and drops what XML 1.0 cannot hold, and the file reads back as written", () => {
    assert.equal(escapeXml(NASTY), "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;   e \u{1F600}");
    const parsed = parseEvaluatorSpec({id: "x", version: "1", failureMode: NASTY, criterion: "overall", kind: "rule", rule: {op: "status", is: "error"}});
    if ("errors" in parsed) throw new Error(parsed.errors.join("; "));
    const version = "1+000000000000";
    const calibration = calibrationOf([...Array(40).fill({human: "fail", judge: "fail"}), ...Array(40).fill({human: "pass", judge: "pass"})], {
      evaluatorVersion: version, criterion: "overall", labels: "t", split: "all", measuredAt: "2026-01-01T00:00:00Z", resamples: 50
    });
    const e = decideEvaluator(planEvaluator({...parsed.spec, calibration}, version, "x.json", 0.95), {pass: 5, fail: 5, errors: 0, failing: ["t<1>"], calls: 0}, {resamples: 50});
    const run = gateRun(
      {runId: "r", label: `label ${NASTY}`, at: "2026-01-01T00:00:00.000Z", durationMs: 1234, suite: "/s", candidate: {kind: "traces", name: "f", version: null, traces: 10, rejected: 0}, defaultMinPassRate: 0.95},
      [e],
      suiteCoverage([{name: `uncovered ${NASTY}`, state: "new"}], [e])
    );
    const xml = parseXml(renderJunit(run));
    const clean = escapeXml(NASTY).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
    const testcase = findAll(xml, "testcase")[0]!;
    assert.equal(testcase.attrs.classname, `plumbline.gate.${clean}`);
    assert.equal(findAll(testcase, "failure")[0]!.attrs.message!.slice(0, 40), `blocked by failure mode "${clean}": `.slice(0, 40));
    const suiteProps = Object.fromEntries(findAll(findAll(xml, "testsuite")[0]!, "property").map((p) => [p.attrs.name, p.attrs.value]));
    assert.equal(suiteProps.uncovered, `uncovered ${clean}`);
    assert.equal(findAll(xml, "testsuite")[0]!.attrs.name, `plumbline gate: label ${clean}`);
    assert.equal(xml.attrs.time, "1.234");
  });
});
