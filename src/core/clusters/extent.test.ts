import assert from "node:assert/strict";
import {test} from "node:test";
import {maxOf, minOf} from "./extent.js";

test("min and max of a million values, where spreading them into Math.min would throw", () => {
  const values = Array.from({length: 1_000_000}, (_, i) => (i * 7919) % 1_000_003);
  assert.throws(() => Math.min(...values), RangeError);
  assert.equal(minOf(values), 0);
  assert.equal(
    maxOf(values),
    values.reduce((a, b) => (b > a ? b : a), -Infinity)
  );
  assert.deepEqual([minOf([]), maxOf([])], [Infinity, -Infinity]);
});
