import assert from "node:assert/strict";
import {describe, test} from "node:test";
import {commonSeverity, severityByTrace, worstSeverity} from "../annotations/severity.js";
import {orderBySeverity} from "./severityOrder.js";

describe("orderBySeverity(items, severityOf)", () => {
  test("puts traces with a severity first, worst first, and keeps the queue's order among equals and the rest", () => {
    const items = ["a", "b", "c", "d", "e", "f"].map((traceId) => ({traceId}));
    const severityOf = severityByTrace([
      {traceId: "c", severity: "low"},
      {traceId: "e", severity: "critical"},
      {traceId: "d", severity: "high"},
      {traceId: "f", severity: "high"},
      {traceId: "c", severity: "high"},
      {traceId: "b", severity: null}
    ]);
    assert.deepEqual(
      orderBySeverity(items, severityOf).map((i) => i.traceId),
      ["e", "c", "d", "f", "a", "b"]
    );
  });

  test("without any severity the queue's order is kept as it was", () => {
    const items = ["z", "a", "m"].map((traceId) => ({traceId}));
    assert.deepEqual(orderBySeverity(items, new Map()), items);
  });
});

describe("worstSeverity and commonSeverity", () => {
  test("the worst is the highest given; the most common breaks ties towards the worse; none given is null", () => {
    assert.equal(worstSeverity(["low", null, "high", "medium"]), "high");
    assert.equal(commonSeverity(["low", "low", "high", null]), "low");
    assert.equal(commonSeverity(["low", "high"]), "high");
    assert.equal(worstSeverity([null, undefined]), null);
    assert.equal(commonSeverity([]), null);
  });
});
