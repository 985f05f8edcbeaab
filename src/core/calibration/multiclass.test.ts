import assert from "node:assert/strict";
import {describe, test} from "node:test";
import type {Metric} from "./metric.js";
import {multiAgreement} from "./multiclass.js";
import {assessTrust, statusOf} from "./trust.js";
import {reportFromConfusion} from "./report.js";

const v = (m: Metric, digits = 4) => ("value" in m ? m.value.toFixed(digits) : m.undefined);

describe("multiAgreement(matrix)", () => {
  test("reproduces PandaLM's published gpt-3.5-turbo and PandaLM-7B figures from their matrices", () => {
    const gpt = multiAgreement([
      [18, 42, 45],
      [19, 332, 71],
      [26, 86, 360]
    ]);
    assert.equal(gpt.n, 999);
    assert.deepEqual(
      [v(gpt.accuracy), v(gpt.macroPrecision), v(gpt.macroRecall), v(gpt.macroF1), v(gpt.kappa)],
      ["0.7107", "0.5879", "0.5736", "0.5755", "0.4958"]
    );
    const panda = multiAgreement([
      [32, 35, 38],
      [40, 298, 84],
      [35, 100, 337]
    ]);
    assert.deepEqual(
      [v(panda.accuracy), v(panda.macroPrecision), v(panda.macroRecall), v(panda.macroF1), v(panda.kappa)],
      ["0.6677", "0.5738", "0.5750", "0.5743", "0.4354"]
    );
  });

  test("a class the rater never chose leaves macro precision undefined", () => {
    const m = multiAgreement(
      [
        [3, 1],
        [2, 0]
      ]
        .map((row) => [row[0]!, 0, row[1]!])
        .concat([[0, 0, 0]])
    );
    assert.match(v(m.macroPrecision), /never chose class 1/);
  });
});

describe("assessTrust(report)", () => {
  test("maps MCC to the gate: ≥ 0.6 blocks, 0.4–0.6 reports, below not trusted", () => {
    assert.equal(statusOf(0.6), "blocks");
    assert.equal(statusOf(0.59), "reports");
    assert.equal(statusOf(0.4), "reports");
    assert.equal(statusOf(0.39), "not-trusted");
  });

  test("warns when the interval crosses a threshold or a class has too few labels", () => {
    const small = assessTrust(reportFromConfusion({tp: 37, fp: 15, fn: 5, tn: 43}, {seed: 1}));
    assert.equal(small.status, "blocks");
    assert.ok(
      small.warnings.some((w) => /crosses 0\.6/.test(w)),
      small.warnings.join("; ")
    );
    const large = assessTrust(reportFromConfusion({tp: 3320, fp: 860, fn: 710, tn: 3600}, {seed: 1}));
    assert.equal(large.status, "blocks");
    assert.deepEqual(large.warnings, []);
    const few = assessTrust(reportFromConfusion({tp: 4, fp: 1, fn: 1, tn: 90}, {seed: 1}));
    assert.ok(few.warnings.some((w) => /only 5 human-labelled failures/.test(w)));
  });

  test("an undefined MCC leaves the evaluator uncalibrated", () => {
    const none = assessTrust(reportFromConfusion({tp: 0, fp: 2, fn: 0, tn: 40}, {seed: 1}));
    assert.equal(none.status, "uncalibrated");
    assert.match(none.reason, /no trace a human failed/);
  });
});
