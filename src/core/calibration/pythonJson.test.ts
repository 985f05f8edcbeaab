import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {parsePythonJson} from "./pythonJson.js";

describe("parsePythonJson(text)", () => {
  test("reads Python's bare NaN, Infinity and -Infinity as null, and counts them", () => {
    assert.deepEqual(parsePythonJson('[NaN, 1.5, {"a": Infinity, "b": -Infinity}]'), {
      value: [null, 1.5, {a: null, b: null}],
      nonFinite: 3
    });
  });

  test("leaves the words alone inside strings, escaped quotes included, and standard JSON as it is", () => {
    assert.deepEqual(parsePythonJson('{"t": "NaN \\" Infinity", "n": NaN}'), {
      value: {t: 'NaN " Infinity', n: null},
      nonFinite: 1
    });
    assert.deepEqual(parsePythonJson('{"x": -1}'), {value: {x: -1}, nonFinite: 0});
  });

  test("still rejects what is not JSON either way", () => {
    assert.throws(() => parsePythonJson("[NaN,"));
    assert.throws(() => parsePythonJson("{nope}"));
  });
});
