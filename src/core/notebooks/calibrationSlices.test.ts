import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {restrictCalibration, sliceCalibration} from "./calibrationSlices.js";
import type {CalibrationPageData} from "../calibration/pageData.js";

const row = (model: string | null, judge: string, human: string, in_sample = false) => ({
  model,
  prompt_version: "v1",
  judge,
  human,
  in_sample
});

describe("sliceCalibration", () => {
  it("counts one confusion matrix per combination of the slicing columns, in key order", () => {
    const slices = sliceCalibration(
      [
        row("gpt-b", "fail", "fail"),
        row("gpt-a", "fail", "fail"),
        row("gpt-a", "pass", "pass"),
        row("gpt-a", "fail", "pass"),
        row("gpt-b", "pass", "fail")
      ],
      ["model", "prompt_version"]
    );
    assert.deepEqual(
      slices.map((s) => [s.key, s.confusion]),
      [
        [["gpt-a", "v1"], {tp: 1, fp: 1, fn: 0, tn: 1}],
        [["gpt-b", "v1"], {tp: 1, fp: 0, fn: 1, tn: 0}]
      ]
    );
    assert.ok("value" in slices[0]!.mcc && Math.abs(slices[0]!.mcc.value - 0.5) < 1e-12);
    assert.deepEqual(slices[1]!.mcc, {undefined: "no trace a human passed"});
  });

  it("leaves out in-sample rows unless asked, and rows that are not pass or fail", () => {
    const rows = [row("m", "fail", "fail"), row("m", "pass", "pass", true), row("m", "error", "pass")];
    assert.equal(sliceCalibration(rows, ["model"])[0]!.n, 1);
    assert.equal(sliceCalibration(rows, ["model"], {inSample: true})[0]!.n, 2);
  });

  it("names a missing value (none) and sorts versions as numbers", () => {
    const rows = [
      {...row(null, "fail", "fail"), prompt_version: "v10"},
      {...row(null, "fail", "fail"), prompt_version: "v9"}
    ];
    assert.deepEqual(
      sliceCalibration(rows, ["model", "prompt_version"]).map((s) => s.key),
      [
        ["(none)", "v9"],
        ["(none)", "v10"]
      ]
    );
  });
});

describe("restrictCalibration", () => {
  it("keeps only the pairs on the given traces and drops the gated populations", () => {
    const pair = (t: string) => ({e: "e", v: "1", t, j: "fail" as const, h: "fail" as const, r: null, x: null, d: "a"});
    const data: CalibrationPageData = {
      versions: [],
      aligned: [pair("t1"), pair("t2")],
      inSample: [pair("t3")],
      populations: [{e: "e", v: "1", confusion: {tp: 1, fp: 0, fn: 0, tn: 0}}],
      snapshots: [],
      annotators: [],
      judgmentSets: []
    };
    const kept = restrictCalibration(data, ["t2", "t3"]);
    assert.deepEqual(
      kept.aligned.map((r) => r.t),
      ["t2"]
    );
    assert.deepEqual(
      kept.inSample.map((r) => r.t),
      ["t3"]
    );
    assert.deepEqual(kept.populations, []);
  });
});
