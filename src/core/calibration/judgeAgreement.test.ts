import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {accuracy, balancedAccuracy, f1, kappa, mcc, precision, tnr, tpr} from "./judgeAgreement.js";
import {cellOf, confusion} from "./confusion.js";
import type {Metric} from "./metric.js";

function value(metric: Metric): number {
  assert.ok("value" in metric, `expected a value, got ${JSON.stringify(metric)}`);
  return metric.value;
}

function close(metric: Metric, expected: number, digits = 4) {
  assert.equal(value(metric).toFixed(digits), expected.toFixed(digits));
}

describe("agreement metrics", () => {
  test("a hand-computed matrix gives the hand-computed figures", () => {
    // tp 6, fp 2, fn 1, tn 11 (n = 20): accuracy 17/20, TPR 6/7, TNR 11/13, precision 6/8, F1 12/15.
    const c = {tp: 6, fp: 2, fn: 1, tn: 11};
    assert.equal(value(accuracy(c)), 17 / 20);
    assert.equal(value(tpr(c)), 6 / 7);
    assert.equal(value(tnr(c)), 11 / 13);
    assert.equal(value(precision(c)), 6 / 8);
    assert.equal(value(f1(c)), 12 / 15);
    assert.equal(value(balancedAccuracy(c)), (6 / 7 + 11 / 13) / 2);
    // po = 0.85; pe = (8·7 + 12·13)/400 = 0.53; kappa = 0.32/0.47.
    close(kappa(c), 0.32 / 0.47, 12);
    // MCC = (66 − 2)/sqrt(8·12·7·13) = 64/sqrt(8736).
    close(mcc(c), 64 / Math.sqrt(8736), 12);
  });

  test("Cohen's kappa is 0.4 on the textbook 20/5/10/15 table, where MCC is 0.4082", () => {
    const c = {tp: 20, fp: 5, fn: 10, tn: 15};
    close(kappa(c), 0.4, 12);
    close(mcc(c), 0.4082);
  });

  test("MCC is −1/3 for y_true [1,1,1,0], y_pred [1,0,1,1] (scikit-learn's documented example)", () => {
    const pairs = [
      {human: "fail", judge: "fail"},
      {human: "fail", judge: "pass"},
      {human: "fail", judge: "fail"},
      {human: "pass", judge: "fail"}
    ] as const;
    close(mcc(confusion(pairs)), -1 / 3, 12);
  });

  test("reproduces the binary PandaLM and LLMBar calibration figures their READMEs give", () => {
    const gpt35 = {tp: 332, fp: 86, fn: 71, tn: 360};
    close(accuracy(gpt35), 0.8151);
    close(mcc(gpt35), 0.6303);
    close(kappa(gpt35), 0.6299);
    const pandalm = {tp: 298, fp: 100, fn: 84, tn: 337};
    close(mcc(pandalm), 0.5502);
    close(kappa(pandalm), 0.5498);
    const falconVanilla = {tp: 41, fp: 28, fn: 1, tn: 30};
    close(mcc(falconVanilla), 0.5266);
    close(kappa(falconVanilla), 0.4532);
  });

  test("the positive class is fail", () => {
    assert.equal(cellOf("fail", "fail"), "tp");
    assert.equal(cellOf("pass", "fail"), "fp");
    assert.equal(cellOf("fail", "pass"), "fn");
    assert.equal(cellOf("pass", "pass"), "tn");
  });

  test("with no human failures, TPR, MCC and balanced accuracy are undefined with a reason, never 0 or NaN", () => {
    const c = {tp: 0, fp: 3, fn: 0, tn: 17};
    for (const metric of [tpr(c), mcc(c), balancedAccuracy(c)]) {
      assert.ok("undefined" in metric);
      assert.match(metric.undefined, /no trace a human failed/);
    }
    assert.equal(value(accuracy(c)), 17 / 20);
  });

  test("a judge that never fails leaves precision and MCC undefined", () => {
    const c = {tp: 0, fp: 0, fn: 4, tn: 16};
    assert.match((precision(c) as {undefined: string}).undefined, /judge failed no trace/);
    assert.match((mcc(c) as {undefined: string}).undefined, /judge failed no trace/);
    assert.equal(value(f1(c)), 0, "F1 is a measured 0 here: failures exist and none was caught");
  });

  test("an empty matrix leaves every metric undefined", () => {
    const c = {tp: 0, fp: 0, fn: 0, tn: 0};
    for (const metric of [accuracy(c), kappa(c), mcc(c), f1(c)]) assert.ok("undefined" in metric);
  });

  test("kappa is undefined when both raters used one label throughout", () => {
    assert.match((kappa({tp: 0, fp: 0, fn: 0, tn: 9}) as {undefined: string}).undefined, /chance agreement is total/);
  });
});
