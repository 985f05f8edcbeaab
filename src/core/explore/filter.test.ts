import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {NO_FILTER, distinctValues, filterTraces, sortIndex, type TraceListColumns} from "./filter.js";

const columns: TraceListColumns = {
  length: 4,
  startTime: [100, 200, null, 400],
  model: ["gpt-4o", "claude", "gpt-4o", null],
  promptVersion: ["v1", "v2", "v1", "v2"],
  status: ["ok", "error", "ok", "ok"],
  format: ["otlp", "otlp", "langfuse", "otlp"],
  hasFeedback: [true, false, false, true],
  toolErrorCount: [0, 2, null, 1]
};
const search = () => ["t0 refund please", "t1 weather", "t2 refund", "t3 hello"];

describe("filterTraces(columns, filter, search)", () => {
  it("passes every row with no filter", () => {
    assert.deepEqual([...filterTraces(columns, NO_FILTER)], [0, 1, 2, 3]);
  });

  it("drops rows without a start time once a time bound is set", () => {
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, from: 150})], [1, 3]);
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, to: 200})], [0, 1]);
  });

  it("combines category, feedback and tool-error filters", () => {
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, model: "gpt-4o", promptVersion: "v1"})], [0, 2]);
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, feedback: "without"})], [1, 2]);
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, toolErrors: true})], [1, 3]);
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, status: "error", format: "otlp"})], [1]);
  });

  it("matches text case-insensitively and builds the search text only when asked", () => {
    assert.deepEqual([...filterTraces(columns, {...NO_FILTER, text: " REFUND "}, search)], [0, 2]);
    let built = false;
    filterTraces(columns, NO_FILTER, () => ((built = true), search()));
    assert.equal(built, false);
  });
});

describe("sortIndex(index, values, descending)", () => {
  it("puts nulls last in both directions", () => {
    const values = [3, null, 1, 2];
    assert.deepEqual([...sortIndex(Uint32Array.of(0, 1, 2, 3), values, false)], [2, 3, 0, 1]);
    assert.deepEqual([...sortIndex(Uint32Array.of(0, 1, 2, 3), values, true)], [0, 3, 2, 1]);
  });
});

describe("distinctValues(values)", () => {
  it("lists non-null values once, sorted", () => {
    assert.deepEqual(distinctValues(["b", null, "a", "b"]), ["a", "b"]);
  });
});
