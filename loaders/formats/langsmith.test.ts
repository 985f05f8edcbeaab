import {test} from "node:test";
import assert from "node:assert/strict";
import type {Fragment} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor} from "../fixtures/rowChecks.js";
import {listShared, readSharedJson} from "../fixtures/sharedData.js";
import {langsmithReader} from "./langsmith.js";
import {RecordError} from "./reader.js";

function read(file: string): Fragment {
  return langsmithReader.read(readSharedJson("formats", "langsmith", file), contextFor(file, ""));
}

const files = listShared("formats/langsmith", ".json");

test("langsmith reader reads each of the 7 SDK payloads as one completed llm run and its trace", () => {
  assert.equal(files.length, 7);
  for (const file of files) {
    const f = read(file);
    assert.equal(f.spans.length, 1, file);
    assert.equal(f.traces.length, 1, file);
    const s = f.spans[0]!;
    assert.deepEqual([s.kind, s.name, s.status, s.parentSpanId], ["llm", "ChatOpenAI", "ok", null], file);
    assert.equal(s.traceId, s.spanId, `${file}: a root run is its own trace`);
    assert.ok(s.endTime! > s.startTime!, file);
    assert.deepEqual(
      f.messages.map((m) => [m.direction, m.role]),
      [
        ["input", "user"],
        ["output", "assistant"]
      ],
      file
    );
    assertValidFragment(f);
  }
});

test("langsmith reader matches a JS patch without an id to its run by dotted order", () => {
  const f = read("langsmith_js_wrap_openai_default.json");
  const s = f.spans[0]!;
  assert.equal(s.spanId, "dc34609e-3eeb-459d-bc2a-6fedb01d2e6e");
  assert.equal(s.startTime, 1728803137170);
  assert.equal(s.endTime, 1728803138285);
  assert.deepEqual([s.model, s.inputTokens, s.outputTokens], ["gpt-4o-mini", 9, 9]);
  assert.deepEqual(
    f.messages.map((m) => m.content),
    ["howdy", "Howdy! How can I assist you today?"]
  );
  assert.equal(f.traces[0]!.metadata.project, "default");
});

test("langsmith reader reads Python ISO times with their microseconds", () => {
  const s = read("langsmith_py_wrap_openai_.json").spans[0]!;
  assert.equal(s.startTime, Date.parse("2024-10-11T20:58:23.298Z") + 0.773);
  assert.equal(s.endTime, Date.parse("2024-10-11T20:58:24.417Z") + 0.106);
});

test("langsmith reader leaves tokens unknown when the stream reported no usage", () => {
  const s = read("langsmith_py_wrap_openai_stream_no_usage.json").spans[0]!;
  assert.deepEqual([s.inputTokens, s.outputTokens, s.costUsd], [null, null, null]);
  const withUsage = read("langsmith_py_wrap_openai_stream.json").spans[0]!;
  assert.deepEqual([withUsage.inputTokens, withUsage.outputTokens], [9, 9]);
});

test("langsmith reader takes the model from ls_model_name and counts reasoning-model tokens", () => {
  const f = read("langsmith_js_wrap_openai_reasoning.json");
  assert.deepEqual([f.spans[0]!.model, f.spans[0]!.inputTokens, f.spans[0]!.outputTokens], ["o1-mini", 43, 1901]);
  assert.match(f.messages[1]!.content ?? "", /^Certainly! Below is a Bash script/);
});

test("langsmith reader reads exported run lines: parents from dotted order, LangChain messages and tool runs", () => {
  const root = "11111111-1111-4111-8111-111111111111";
  const llm = "22222222-2222-4222-8222-222222222222";
  const tool = "33333333-3333-4333-8333-333333333333";
  const dotted = (...ids: string[]) => ids.map((id, i) => `2025010${i + 1}T000000000000Z${id}`).join(".");
  const llmRun = {
    id: llm,
    trace_id: root,
    dotted_order: dotted(root, llm),
    run_type: "llm",
    name: "ChatOpenAI",
    start_time: "2025-01-02T00:00:00.000000",
    end_time: "2025-01-02T00:00:01.000000",
    extra: {metadata: {ls_model_name: "gpt-4o", thread_id: "thread-9"}},
    inputs: {
      messages: [
        [
          {
            lc: 1,
            type: "constructor",
            id: ["langchain", "schema", "messages", "SystemMessage"],
            kwargs: {content: "Be brief."}
          },
          {type: "human", data: {content: "Weather in Oslo?"}}
        ]
      ]
    },
    outputs: {
      generations: [
        [
          {
            text: "",
            message: {
              lc: 1,
              type: "constructor",
              id: ["langchain", "schema", "messages", "AIMessage"],
              kwargs: {
                content: "",
                tool_calls: [{name: "get_weather", args: {city: "Oslo"}, id: "call_1"}]
              }
            }
          }
        ]
      ],
      llm_output: {token_usage: {prompt_tokens: 20, completion_tokens: 7}}
    }
  };
  const toolRun = {
    id: tool,
    trace_id: root,
    dotted_order: dotted(root, tool),
    run_type: "tool",
    name: "get_weather",
    start_time: "2025-01-03T00:00:00Z",
    end_time: "2025-01-03T00:00:00.5Z",
    inputs: {input: "{'city': 'Oslo'}"},
    outputs: {output: "Error: service down"},
    error: "ToolException: service down"
  };
  const f1 = langsmithReader.read(llmRun, contextFor("runs.jsonl", ""));
  const s = f1.spans[0]!;
  assert.deepEqual([s.parentSpanId, s.model, s.inputTokens, s.outputTokens], [root, "gpt-4o", 20, 7]);
  assert.deepEqual(
    f1.messages.map((m) => [m.direction, m.role, m.content]),
    [
      ["input", "system", "Be brief."],
      ["input", "user", "Weather in Oslo?"],
      ["output", "assistant", ""]
    ]
  );
  assert.deepEqual(
    f1.toolCalls.map((c) => [c.callId, c.name, c.arguments]),
    [["call_1", "get_weather", '{"city":"Oslo"}']]
  );
  assert.equal(f1.traces.length, 0, "only a root run describes its trace");
  const both = langsmithReader.read({post: [toolRun, llmRun]}, contextFor("payload.json", ""));
  assert.deepEqual(
    both.toolCalls.map((c) => [c.callId, c.spanId, c.success, c.error]),
    [["call_1", tool, false, "ToolException: service down"]]
  );
  assert.deepEqual(
    both.spans.map((x) => x.status),
    ["ok", "error"]
  );
  assertValidFragment(both);
});

test("langsmith reader rejects runs without ids and child runs without a trace id", () => {
  assert.throws(
    () => langsmithReader.read({post: [{name: "x", run_type: "llm"}]}, contextFor("x", "")),
    /a run has no id/
  );
  assert.throws(
    () => langsmithReader.read({post: [{id: "a", parent_run_id: "b", run_type: "chain"}]}, contextFor("x", "")),
    /run a has a parent but no trace_id/
  );
  assert.throws(() => langsmithReader.read({post: [3]}, contextFor("x", "")), /post\[0\] is not an object/);
  assert.throws(() => langsmithReader.read({runs: []}, contextFor("x", "")), RecordError);
});
