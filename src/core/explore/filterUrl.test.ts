import assert from "node:assert/strict";
import {test} from "node:test";
import {NO_FILTER, type TraceFilter} from "./filter.js";
import {filterFromParams, filterToParams} from "./filterUrl.js";

test("no filter writes no parameters", () => {
  assert.deepEqual(filterToParams(NO_FILTER), []);
});

test("every filter field survives a trip through the URL", () => {
  const filter: TraceFilter = {
    from: Date.UTC(2026, 0, 2, 3, 4),
    to: Date.UTC(2026, 0, 3),
    model: "gpt-4o",
    promptVersion: "v2 & more",
    status: "error",
    format: "otlp",
    feedback: "without",
    toolErrors: true,
    text: "refund #12"
  };
  const params = new URLSearchParams(filterToParams(filter));
  assert.deepEqual(filterFromParams(new URLSearchParams(params.toString())), filter);
  assert.equal(params.get("from"), "2026-01-02T03:04:00.000Z");
});

test("unreadable values in a hand-edited URL fall back to no filter for that field", () => {
  const filter = filterFromParams(new URLSearchParams("feedback=maybe&from=yesterday&tool_errors=yes&status=ok"));
  assert.deepEqual(filter, {...NO_FILTER, status: "ok"});
});
