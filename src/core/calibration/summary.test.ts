import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {summarizeCalibration, versionKey, type AlignedPair, type VersionInfo} from "./summary.js";

describe("summarizeCalibration(pairs, versions, {populations})", () => {
  // The demo's rule: tp 27 fp 9 fn 0 tn 75 on the evidence; the 89 runs failing another mode are passes to it.
  const pair = (human: "pass" | "fail", judge: "pass" | "fail", n: number): AlignedPair[] =>
    Array.from({length: n}, () => ({evaluatorId: "rule", evaluatorVersion: "1", human, judge}));
  const pairs = [...pair("fail", "fail", 27), ...pair("pass", "fail", 9), ...pair("pass", "pass", 75)];
  const info: VersionInfo = {
    evaluatorId: "rule",
    evaluatorVersion: "1",
    criterion: "overall",
    failureMode: "tool error not recovered",
    kind: "rule",
    judgeModel: null,
    firstSeen: "2026-12-01T00:00:00Z",
    unlabeled: {fail: 36, total: 200},
    errors: 0
  };

  test("corrects unlabeled traffic with the error rates of the gated population when it is given", () => {
    const populations = new Map([[versionKey("rule", "1"), {tp: 27, fp: 9, fn: 0, tn: 164}]]);
    const [rule] = summarizeCalibration(pairs, [info], {resamples: 100, populations});
    const corrected = rule!.current.correction.corrected;
    assert.ok("value" in corrected);
    assert.equal(corrected.value.toFixed(6), (27 / 200).toFixed(6));
    assert.deepEqual(rule!.current.report.confusion, {tp: 27, fp: 9, fn: 0, tn: 75}, "the evidence is unchanged");
  });

  test("without a population, the evidence's error rates correct it, as before", () => {
    const [rule] = summarizeCalibration(pairs, [info], {resamples: 100});
    const corrected = rule!.current.correction.corrected;
    assert.ok("value" in corrected && corrected.value < 0.1);
  });
});
