import assert from "node:assert/strict";
import {test} from "node:test";
import {selectCases, type Candidate} from "./select.js";

const candidate = (traceId: string, fields: Partial<Candidate> = {}): Candidate => ({
  traceId,
  truth: [],
  topics: [],
  outputChars: 10,
  toolErrors: 0,
  status: "ok",
  tied: false,
  ...fields
});
const fail = (criterion: string, failureMode: string | null) => ({
  criterion,
  pass: false,
  failureMode,
  explanation: null,
  decidedBy: "single"
});
const pass = (criterion: string, decidedBy = "unanimous") => ({
  criterion,
  pass: true,
  failureMode: null,
  explanation: null,
  decidedBy
});
const base = {existing: new Set<string>(), coveredTopics: new Set<string>(), longOutputChars: 100};

test("confirmed failures come first, then new topics, long outputs and edge cases, each kind in source order", () => {
  const {picks, skipped} = selectCases(
    [
      candidate("long", {outputChars: 400, truth: [pass("overall")]}),
      candidate("recovered", {toolErrors: 2, truth: [pass("overall")]}),
      candidate("f1", {truth: [fail("overall", "m")], topics: ["t1"]}),
      candidate("same-topic", {topics: ["t1"]}),
      candidate("topic-2", {topics: ["t2"]}),
      candidate("plain", {truth: [pass("overall")]}),
      candidate("f2", {truth: [pass("overall"), fail("tone", null)]})
    ],
    base
  );
  assert.deepEqual(
    picks.map((p) => [p.traceId, p.kind]),
    [
      ["f1", "confirmed_failure"],
      ["f2", "confirmed_failure"],
      ["topic-2", "new_topic"],
      ["long", "long_output"],
      ["recovered", "edge_case"]
    ]
  );
  assert.equal(picks.find((p) => p.traceId === "f2")!.truth?.criterion, "tone");
  assert.deepEqual(
    skipped.map((s) => s.traceId),
    ["same-topic", "plain"]
  );
});

test("a failure-mode promotion confirms only that mode's failures, and covered topics and existing cases are respected", () => {
  const {picks, skipped} = selectCases(
    [
      candidate("mine", {truth: [fail("overall", "wrong_tool")]}),
      candidate("other-mode", {truth: [fail("overall", "tone")]}),
      candidate("old-topic", {topics: ["t1"]}),
      candidate("in-set", {truth: [fail("overall", "wrong_tool")]})
    ],
    {...base, failureMode: "wrong_tool", existing: new Set(["in-set"]), coveredTopics: new Set(["t1"])}
  );
  assert.deepEqual(
    picks.map((p) => p.traceId),
    ["mine"]
  );
  assert.deepEqual(skipped, [
    {traceId: "in-set", reason: "already in the dataset"},
    {traceId: "other-mode", reason: "fails, but not with wrong_tool, and nothing else to protect"},
    {traceId: "old-topic", reason: "not a confirmed failure, and no new topic, long output or edge case to protect"}
  ]);
});

test("edge cases name why: disagreement, an unsettled tie, recovery, an error, no answer", () => {
  const {picks} = selectCases(
    [
      candidate("majority", {truth: [pass("overall", "majority")]}),
      candidate("tie", {tied: true}),
      candidate("recovered", {toolErrors: 1}),
      candidate("errored", {status: "error"}),
      candidate("silent", {outputChars: null})
    ],
    base
  );
  assert.deepEqual(
    picks.map((p) => p.why),
    [
      "annotators disagreed on overall (decided by majority)",
      "annotators split evenly and nobody has adjudicated",
      "1 tool call failed and the trace recovered",
      "the trace ended in error",
      "no final answer"
    ]
  );
});

test("traces named by hand are all kept, as 'other' when nothing else applies, and a trace listed twice once", () => {
  const {picks} = selectCases([candidate("a"), candidate("a"), candidate("b", {truth: [fail("overall", null)]})], {
    ...base,
    keepAll: true
  });
  assert.deepEqual(
    picks.map((p) => [p.traceId, p.kind]),
    [
      ["b", "confirmed_failure"],
      ["a", "other"]
    ]
  );
});
