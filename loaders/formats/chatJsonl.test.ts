import {test} from "node:test";
import assert from "node:assert/strict";
import {assertValidFragment, contextFor, mergeFragments} from "../fixtures/rowChecks.js";
import {readSharedJson} from "../fixtures/sharedData.js";
import {chatJsonlReader} from "./chatJsonl.js";
import {fnv1a64} from "./hash.js";
import {RecordError} from "./reader.js";

/** The τ-bench trajectories written as chat JSON Lines, one `{id, messages}` per run: real transcripts. */
const runs = readSharedJson("tau-bench-airline", "gpt-4o-airline.json") as {
  task_id: number;
  trial: number;
  traj: unknown[];
}[];
const lines = runs.map((r) => JSON.stringify({id: `run-${r.task_id}-${r.trial}`, model: "gpt-4o", messages: r.traj}));

function readLine(text: string, i = 0) {
  return chatJsonlReader.read(JSON.parse(text), contextFor("chats.jsonl", text, i, i + 1));
}

test("chat-jsonl reader reads real transcripts: one trace per line, every message and tool call kept", () => {
  const all = mergeFragments(lines.map((l, i) => readLine(l, i)));
  assert.equal(all.traces.length, 200);
  assert.equal(all.messages.length, 5308);
  assert.equal(all.toolCalls.length, 1164);
  assert.equal(all.toolCalls.filter((c) => c.success === false).length, 73);
  assert.equal(all.spans.filter((s) => s.kind === "agent").length, 200);
  assert.equal(all.spans.filter((s) => s.kind === "tool").length, 1164);
  assert.ok(all.traces.every((t) => t.model === "gpt-4o"));
  assert.equal(all.traces.filter((t) => t.status === "error").length, 36);
  assertValidFragment(all);
});

test("chat-jsonl reader hashes the line for an id when the line names none, and keeps named ids", () => {
  const text = JSON.stringify({
    messages: [
      {role: "user", content: "hi"},
      {role: "assistant", content: "hello"}
    ]
  });
  const f = readLine(text);
  assert.equal(f.traces[0]!.traceId, fnv1a64(text));
  assert.equal(readLine(text).traces[0]!.traceId, f.traces[0]!.traceId, "the same line is the same trace");
  assert.equal(readLine(JSON.stringify({trace_id: 42, messages: []})).traces[0]!.traceId, "42");
});

test("chat-jsonl reader reads a bare message array and numbers turns from each user message", () => {
  const text = JSON.stringify([
    {role: "system", content: "Be kind."},
    {role: "user", content: "a"},
    {role: "assistant", content: "b"},
    {role: "user", content: "c"},
    {role: "assistant", content: "d"}
  ]);
  const f = readLine(text);
  assert.deepEqual(
    f.messages.map((m) => [m.index, m.turn, m.role, m.direction, m.spanId]),
    [
      [0, 0, "system", "transcript", null],
      [1, 1, "user", "transcript", null],
      [2, 1, "assistant", "transcript", null],
      [3, 2, "user", "transcript", null],
      [4, 2, "assistant", "transcript", null]
    ]
  );
  assert.equal(f.traces[0]!.status, "ok");
});

test("chat-jsonl reader builds a tool span per call and fails calls whose result starts with Error", () => {
  const text = JSON.stringify({
    id: "t1",
    session_id: "s1",
    user_id: "u1",
    tags: ["demo"],
    messages: [
      {role: "user", content: "Book it"},
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {id: "c1", type: "function", function: {name: "search", arguments: '{"q":"x"}'}},
          {id: "c2", type: "function", function: {name: "book", arguments: "{}"}}
        ]
      },
      {role: "tool", tool_call_id: "c1", name: "search", content: "[1,2]"},
      {role: "tool", tool_call_id: "c2", name: "book", content: "Error: card declined"},
      {role: "assistant", content: "Sorry, the card was declined."}
    ]
  });
  const f = readLine(text);
  assert.deepEqual(
    f.toolCalls.map((c) => [c.callId, c.spanId, c.name, c.arguments, c.result, c.success, c.error]),
    [
      ["c1", "tool:c1", "search", '{"q":"x"}', "[1,2]", true, null],
      ["c2", "tool:c2", "book", "{}", "Error: card declined", false, "Error: card declined"]
    ]
  );
  assert.deepEqual(
    f.spans.map((s) => [s.spanId, s.kind, s.parentSpanId, s.status]),
    [
      ["root", "agent", null, "error"],
      ["tool:c1", "tool", "root", "ok"],
      ["tool:c2", "tool", "root", "error"]
    ]
  );
  const t = f.traces[0]!;
  assert.deepEqual([t.traceId, t.sessionId, t.userId, t.tags, t.status], ["t1", "s1", "u1", ["demo"], "error"]);
  assert.equal(f.messages[1]!.content, null);
  assertValidFragment(f);
});

test("chat-jsonl reader keeps thumbs and feedback as user feedback", () => {
  const f = readLine(
    JSON.stringify({
      id: "t2",
      messages: [{role: "user", content: "hi"}],
      thumbs: "down",
      feedback: [{name: "helpfulness", score: 0.5, comment: "meh"}, 1]
    })
  );
  assert.deepEqual(
    f.feedback.map((x) => [x.name, x.value, x.label, x.comment, x.source]),
    [
      ["helpfulness", 0.5, null, "meh", "user"],
      ["feedback", 1, "up", null, "user"],
      ["thumbs", 0, "down", null, "user"]
    ]
  );
  assertValidFragment(f);
});

test("chat-jsonl reader rejects lines whose messages are missing or not chat messages", () => {
  assert.throws(() => readLine(JSON.stringify({id: "x"})), /needs a messages array/);
  assert.throws(
    () => readLine(JSON.stringify({messages: "hello"})),
    (e: unknown) => e instanceof RecordError && /not an array of messages/.test(e.message)
  );
  assert.throws(() => readLine(JSON.stringify({messages: [{role: 7, content: "x"}]})), /not a chat message/);
});
