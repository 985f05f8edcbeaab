import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {spanTree, type TreeSpan} from "./spanTree.js";

const s = (
  spanId: string,
  parentSpanId: string | null,
  startTime: number | null,
  endTime: number | null = null
): TreeSpan => ({spanId, parentSpanId, startTime, endTime});

describe("spanTree(spans)", () => {
  it("orders children by start time under their parent, with depths", () => {
    const tree = spanTree([s("c", "a", 20, 30), s("a", null, 0, 100), s("b", "a", 10, 15), s("d", "b", 11, 12)]);
    assert.deepEqual(
      tree.rows.map((r) => [r.span.spanId, r.depth, r.descendants]),
      [
        ["a", 0, 3],
        ["b", 1, 1],
        ["d", 2, 0],
        ["c", 1, 0]
      ]
    );
    assert.equal(tree.start, 0);
    assert.equal(tree.end, 100);
  });

  it("makes spans with an unknown parent roots", () => {
    const tree = spanTree([s("x", "missing", 5), s("y", null, 1)]);
    assert.deepEqual(
      tree.rows.map((r) => [r.span.spanId, r.depth]),
      [
        ["y", 0],
        ["x", 0]
      ]
    );
  });

  it("shows every span of a cycle exactly once", () => {
    const tree = spanTree([s("a", "b", 1), s("b", "a", 2), s("self", "self", 3)]);
    assert.deepEqual(tree.rows.map((r) => r.span.spanId).sort(), ["a", "b", "self"]);
  });

  it("has null bounds when no span has a time", () => {
    const tree = spanTree([s("a", null, null)]);
    assert.equal(tree.start, null);
    assert.equal(tree.end, null);
  });
});
