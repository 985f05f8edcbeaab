import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {calibrationOf, specTrustStatus} from "./specCalibration.js";

const pairs = (tp: number, fp: number, fn: number, tn: number) => [
  ...Array.from({length: tp}, () => ({human: "fail" as const, judge: "fail" as const})),
  ...Array.from({length: fp}, () => ({human: "pass" as const, judge: "fail" as const})),
  ...Array.from({length: fn}, () => ({human: "fail" as const, judge: "pass" as const})),
  ...Array.from({length: tn}, () => ({human: "pass" as const, judge: "pass" as const}))
];
const options = {
  evaluatorVersion: "1.0.0+aaaaaaaaaaaa",
  criterion: "overall",
  labels: "test",
  split: "held-out" as const,
  measuredAt: "2026-01-01T00:00:00Z"
};

describe("spec calibration", () => {
  test("records the confusion matrix, the MCC and its interval", () => {
    const c = calibrationOf(pairs(40, 5, 10, 45), options);
    assert.deepEqual(c.confusion, {tp: 40, fp: 5, fn: 10, tn: 45});
    // (40·45 − 5·10) / sqrt(45·50·55·50)
    assert.ok(Math.abs(c.mcc! - 1750 / Math.sqrt(45 * 50 * 55 * 50)) < 1e-12);
    assert.ok(c.mccInterval![0] < c.mcc! && c.mcc! < c.mccInterval![1]);
  });

  test("an undefined MCC is null with the reason", () => {
    const c = calibrationOf(pairs(0, 0, 0, 10), options);
    assert.equal(c.mcc, null);
    assert.match(c.mccUndefined!, /./);
    assert.equal(specTrustStatus(c, options.evaluatorVersion).status, "uncalibrated");
  });

  test("figures of the current version set the status; figures of an older version leave it uncalibrated", () => {
    const c = calibrationOf(pairs(40, 5, 10, 45), options);
    assert.equal(specTrustStatus(c, options.evaluatorVersion).status, "blocks");
    const stale = specTrustStatus(c, "1.1.0+bbbbbbbbbbbb");
    assert.equal(stale.status, "uncalibrated");
    assert.match(stale.reason, /1\.0\.0\+aaaaaaaaaaaa/);
    assert.equal(specTrustStatus(undefined, "x").status, "uncalibrated");
    assert.equal(
      specTrustStatus(calibrationOf(pairs(25, 10, 25, 40), options), options.evaluatorVersion).status,
      "not-trusted"
    );
  });
});
