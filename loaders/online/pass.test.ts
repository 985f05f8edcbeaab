import assert from "node:assert/strict";
import {test} from "node:test";
import {firstTraces} from "./pass.js";

const due = (...threads: string[]) => threads.map((thread, i) => ({traceId: `t-${i}`, thread}));

test("a pass takes at most its limit of traces, but never part of a thread, and a thread over the limit alone", () => {
  assert.deepEqual(firstTraces(due("a", "b", "c"), 2), ["t-0", "t-1"]);
  assert.deepEqual(firstTraces(due("a", "b", "b", "c"), 2), ["t-0"]);
  assert.deepEqual(firstTraces(due("a", "a", "a", "b"), 2), ["t-0", "t-1", "t-2"]);
  assert.deepEqual(firstTraces(due("a", "b", "b"), 3), ["t-0", "t-1", "t-2"]);
  assert.deepEqual(firstTraces([], 5), []);
});
