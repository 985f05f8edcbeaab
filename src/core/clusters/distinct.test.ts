import assert from "node:assert/strict";
import {test} from "node:test";
import {distinct} from "./distinct.js";

test("items with one key are kept once, in order of first appearance, and each item points to its own", () => {
  const items = [[1, 2], [3], [1, 2], [4], [3]];
  const {values, of} = distinct(items, (item) => item.join(","));
  assert.deepEqual(values, [[1, 2], [3], [4]]);
  assert.deepEqual(of, [0, 1, 0, 2, 1]);
  assert.equal(values[0], items[0], "the first of a key is the one kept");
});
