import assert from "node:assert/strict";
import {describe, test} from "node:test";
import type {SpecCalibration} from "../schemas/evaluator.js";
import {withCalibrationBlock} from "./calibrationBlock.js";

const block: SpecCalibration = {
  evaluatorVersion: "1.0.0+aaaaaaaaaaaa",
  criterion: "overall",
  labels: "test",
  labelSet: "overall@0123456789ab",
  measuredAt: "2026-12-01T00:00:00.000Z",
  split: "all",
  confusion: {tp: 1, fp: 0, fn: 0, tn: 1},
  mcc: 1,
  mccInterval: null
};

describe("withCalibrationBlock(text, calibration)", () => {
  test("replaces the block and leaves every other byte, odd spacing and key order included", () => {
    const text = `{\n    "id": "x",\n    "calibration": {"old": [1, {"}": "]"}]},\n    "rule":   {"op": "status", "is": "error"}\n}\n`;
    const out = withCalibrationBlock(text, block);
    const start = out.indexOf('"calibration": ') + '"calibration": '.length;
    const end = out.indexOf(',\n    "rule"');
    assert.equal(out.slice(0, start), text.slice(0, text.indexOf('"calibration": ') + '"calibration": '.length));
    assert.equal(out.slice(end), text.slice(text.indexOf(',\n    "rule"')));
    assert.deepEqual(JSON.parse(out).calibration, block);
    assert.match(out, /\n {4}"calibration": \{\n {8}"evaluatorVersion"/, "nested one level under the key");
  });

  test("adds the block after the last member of a spec that has none, with the file's indentation", () => {
    const text = `{\r\n\t"id": "x",\r\n\t"kind": "rule"\r\n}`;
    const out = withCalibrationBlock(text, block);
    assert.ok(out.startsWith(`{\r\n\t"id": "x",\r\n\t"kind": "rule",\r\n\t"calibration": {\r\n\t\t"evaluatorVersion"`));
    assert.ok(out.endsWith(`\r\n\t}\r\n}`));
    assert.deepEqual(JSON.parse(out).calibration, block);
  });

  test("a one-line spec stays one object, and a second write replaces the first", () => {
    const once = withCalibrationBlock(`{"id":"x"}`, block);
    const twice = withCalibrationBlock(once, {...block, mcc: 0.5});
    assert.equal(JSON.parse(twice).calibration.mcc, 0.5);
    assert.equal(twice.match(/"calibration"/g)!.length, 1);
  });
});
