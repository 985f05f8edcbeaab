import {test} from "node:test";
import assert from "node:assert/strict";
import type {Fragment} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor, mergeFragments} from "../fixtures/rowChecks.js";
import {readSharedText} from "../fixtures/sharedData.js";
import {fnv1a64} from "./hash.js";
import {openinferenceReader} from "./openinference.js";
import {RecordError} from "./reader.js";

function readMap(file: string): {fragment: Fragment; text: string} {
  const text = readSharedText("formats", "openinference", file);
  return {fragment: openinferenceReader.read(JSON.parse(text), contextFor(file, text)), text};
}

/** Reads a Vercel capture the way ingest does: each element of the top-level array is a record. */
function readArray(file: string): Fragment {
  const spans = JSON.parse(readSharedText("formats", "openinference", file)) as unknown[];
  return mergeFragments(spans.map((s, i) => openinferenceReader.read(s, contextFor(file, JSON.stringify(s), i))));
}

const CHAT_MESSAGES = [
  ["input", "user", "Weather in Paris?", null],
  ["input", "assistant", "Absolutely! Let me check the weather for you.", null],
  ["input", "tool", "rainy, 57°F", "1234"],
  ["output", "assistant", "The weather in Paris is currently rainy with a temperature of 57°F.", null]
];

test("openinference reader reads indexed llm.input_messages keys into messages, kind, model and tokens", () => {
  const {fragment: f, text} = readMap("openinference_client_span_tool_calls.json");
  assert.equal(f.spans.length, 1);
  const s = f.spans[0]!;
  assert.equal(s.kind, "llm");
  assert.equal(s.model, "gpt-4-0613");
  assert.equal(s.inputTokens, 97);
  assert.equal(s.outputTokens, 52);
  assert.equal(s.costUsd, null);
  assert.equal(s.startTime, null);
  assert.deepEqual(
    f.messages.map((m) => [m.direction, m.role, m.content, m.toolCallId]),
    CHAT_MESSAGES
  );
  assert.equal(s.attributes["llm.model_name"], "gpt-4-0613");
  assertValidFragment(f);
  // A map has no ids: both come from the record's text, so the same map read twice is the same span.
  assert.equal(s.traceId, fnv1a64(text));
  assert.equal(s.spanId, fnv1a64(text));
});

test("openinference reader gives the same messages for the GenAI and the OpenInference encodings of one call", () => {
  const genai = readMap("otel_genai_client_span_tool_calls.json").fragment;
  assert.deepEqual(
    genai.messages.map((m) => [m.direction, m.role, m.content, m.toolCallId]),
    CHAT_MESSAGES
  );
  const s = genai.spans[0]!;
  assert.deepEqual(
    [s.kind, s.model, s.inputTokens, s.outputTokens, s.name],
    ["llm", "gpt-4-0613", 97, 52, "chat gpt-4-0613"]
  );
  assertValidFragment(genai);
});

test("openinference reader turns a GenAI execute_tool map into a tool span with one successful ToolCall", () => {
  const f = readMap("otel_genai_tool_execution_span.json").fragment;
  assert.equal(f.spans[0]!.kind, "tool");
  assert.deepEqual(
    f.toolCalls.map((c) => [c.callId, c.name, c.arguments, c.success]),
    [["1234", "get_weather", '{"city": "New York"}', true]]
  );
  assert.match(f.toolCalls[0]!.result ?? "", /"status": "success"/);
  assertValidFragment(f);
});

test("openinference reader reads Vercel AI SDK doGenerate spans: times, provider model, tokens and messages", () => {
  const f = readArray("vercel-ai-generateText-doGenerate.json");
  assert.equal(f.spans.length, 2);
  const [a, b] = f.spans;
  assert.deepEqual(
    [a!.traceId, a!.spanId, a!.parentSpanId],
    ["b3e700af9eab81e19f72f964d62a35af", "39d6e9b3ddec9996", null]
  );
  assert.deepEqual(
    [a!.kind, a!.model, a!.inputTokens, a!.outputTokens, a!.status],
    ["llm", "gpt-4o-mini-2024-07-18", 14, 20, "unset"]
  );
  assert.equal(a!.startTime, 1770131992242);
  assert.ok(Math.abs(a!.endTime! - 1770131994021.415667) < 1e-3);
  const first = f.messages.filter((m) => m.spanId === a!.spanId);
  assert.deepEqual(
    first.map((m) => [m.direction, m.role, m.content]),
    [
      ["input", "user", "Write a haiku about programming."],
      ["output", "assistant", "Lines of code align,  \nLogic dances through the night—  \nDreams in data flow."]
    ]
  );
  const second = f.messages.filter((m) => m.spanId === b!.spanId);
  assert.deepEqual(
    second.map((m) => [m.role, m.turn]),
    [
      ["system", 0],
      ["user", 1],
      ["assistant", 1],
      ["user", 2],
      ["assistant", 2]
    ]
  );
  assertValidFragment(f);
});

test("openinference reader reads Vercel generateText wrapper spans as chains with the prompt as a user message", () => {
  const f = readArray("vercel-ai-generateText.json");
  const s = f.spans[0]!;
  assert.deepEqual([s.kind, s.model, s.inputTokens, s.outputTokens], ["chain", "gpt-4o-mini", 14, 20]);
  assert.deepEqual(
    f.messages.filter((m) => m.spanId === s.spanId).map((m) => [m.role, m.content]),
    [
      ["user", "Write a haiku about programming."],
      ["assistant", "Lines of code align,  \nLogic dances through the night—  \nDreams in data flow."]
    ]
  );
  const multi = f.messages.filter((m) => m.spanId === f.spans[1]!.spanId);
  assert.deepEqual(
    multi.map((m) => m.role),
    ["system", "user", "assistant", "user", "assistant"]
  );
  assertValidFragment(f);
});

test("openinference reader takes stream token counts from ai.usage.inputTokens and gen_ai.usage alike", () => {
  const stream = readArray("vercel-ai-streamText.json").spans[0]!;
  assert.deepEqual([stream.kind, stream.inputTokens, stream.outputTokens], ["chain", 15, 112]);
  const provider = readArray("vercel-ai-streamText-doStream.json").spans[0]!;
  assert.deepEqual(
    [provider.kind, provider.inputTokens, provider.outputTokens, provider.model],
    ["llm", 15, 112, "gpt-4o-mini-2024-07-18"]
  );
});

test("openinference reader reads a whole Vercel array given as one record as all of its spans", () => {
  const spans = JSON.parse(
    readSharedText("formats", "openinference", "vercel-ai-generateText-doGenerate.json")
  ) as unknown[];
  const f = openinferenceReader.read(spans, contextFor("capture.jsonl", ""));
  assert.equal(f.spans.length, 2);
});

test("openinference reader rejects Vercel spans without ids and values that are not maps", () => {
  const spans = JSON.parse(readSharedText("formats", "openinference", "vercel-ai-streamText.json")) as Record<
    string,
    unknown
  >[];
  const span = spans[0]!;
  assert.throws(
    () => openinferenceReader.read({...span, spanContext: {traceId: "abc"}}, contextFor("x", "")),
    /spanContext needs traceId and spanId/
  );
  assert.throws(() => openinferenceReader.read({...span, name: 3}, contextFor("x", "")), /name is not a string/);
  assert.throws(() => openinferenceReader.read("llm.model_name", contextFor("x", "")), RecordError);
  assert.throws(() => openinferenceReader.read([span, 4], contextFor("x", "")), /span 1: not a Vercel AI SDK span/);
});

test("openinference reader reads Phoenix span rows with their context ids and attributes columns", () => {
  const row = {
    name: "ChatCompletion",
    "context.trace_id": "0AF7651916CD43DD8448EB211C80319C",
    "context.span_id": "B7AD6B7169203331",
    parent_id: null,
    start_time: "2025-01-01T10:00:00.123456+00:00",
    end_time: "2025-01-01T10:00:01.5+00:00",
    status_code: "ERROR",
    status_message: "rate limited",
    "attributes.openinference.span.kind": "LLM",
    "attributes.llm.model_name": "gpt-4o",
    "attributes.session.id": "s-1"
  };
  const f = openinferenceReader.read(row, contextFor("phoenix.jsonl", JSON.stringify(row)));
  const s = f.spans[0]!;
  assert.deepEqual(
    [s.traceId, s.spanId, s.parentSpanId, s.kind, s.model, s.status, s.statusMessage],
    ["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", null, "llm", "gpt-4o", "error", "rate limited"]
  );
  assert.equal(s.startTime, Date.UTC(2025, 0, 1, 10, 0, 0, 123) + 0.456);
  assert.equal(f.traces[0]!.sessionId, "s-1");
  assertValidFragment(f);
});

test("openinference reader keeps Vercel response text as text, even when it reads like JSON, beside the calls it made", () => {
  const spans = JSON.parse(readSharedText("formats", "openinference", "vercel-ai-generateText-doGenerate.json")) as {
    attributes: Record<string, unknown>;
  }[];
  const span = spans[0]!;
  span.attributes["ai.response.text"] = '{"answer": 4}';
  span.attributes["ai.response.toolCalls"] = JSON.stringify([
    {toolCallId: "call_9", toolName: "calc", input: '{"x":2}'}
  ]);
  const f = openinferenceReader.read(span, contextFor("x.json", JSON.stringify(span)));
  const out = f.messages.filter((m) => m.direction === "output");
  assert.deepEqual(
    out.map((m) => [m.role, m.content]),
    [["assistant", '{"answer": 4}']]
  );
  assert.deepEqual(
    f.toolCalls.map((c) => [c.callId, c.name, c.arguments, c.success]),
    [["call_9", "calc", '{"x":2}', null]]
  );
});
