import {test} from "node:test";
import assert from "node:assert/strict";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import type {Fragment} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor} from "../fixtures/rowChecks.js";
import {ingest} from "../ingest/ingest.js";
import {withReadConnection} from "../store/db.js";
import type {FormatReader} from "./reader.js";
import {langfuseReader} from "./langfuse.js";
import {openinferenceReader} from "./openinference.js";
import {otlpReader} from "./otlp.js";
import {dropRepeatedMessages} from "./repeatedMessages.js";

/**
 * One test per instrumentation shape, each reading a small fixture in `fixtures/` written from that convention's
 * documentation (see `fixtures/SOURCE.md`), and asserting the stored messages, tool calls, model and tokens.
 */
function fixture(name: string): {value: unknown; text: string} {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
  return {value: JSON.parse(text), text};
}

function read(reader: FormatReader, name: string): Fragment {
  const {value, text} = fixture(name);
  const f = reader.read(value, contextFor(name, text));
  assertValidFragment(f);
  return f;
}

const rows = (f: Fragment) => f.messages.map((m) => [m.direction, m.role, m.content, m.toolCallId]);
const calls = (f: Fragment) => f.toolCalls.map((c) => [c.callId, c.name, c.arguments, c.result, c.success, c.error]);

test("an OpenInference LLM span with only input.value and output.value bodies stores their messages, calls, model and tokens", () => {
  const f = read(openinferenceReader, "openinference-llm-request-response.json");
  assert.deepEqual(rows(f), [
    ["input", "system", "You answer weather questions.", null],
    ["input", "user", "Weather in Paris and Oslo?", null],
    ["input", "assistant", null, null],
    ["input", "tool", "rainy, 14°C", "call_paris"],
    ["output", "assistant", "Paris is rainy. Checking Oslo.", null]
  ]);
  // The call the model made is the span's own; the one in its input history was an earlier call's.
  assert.deepEqual(calls(f), [["call_oslo", "get_weather", '{"city":"Oslo"}', null, null, null]]);
  const s = f.spans[0]!;
  assert.deepEqual([s.kind, s.model, s.inputTokens, s.outputTokens], ["llm", "gpt-4o-mini-2024-07-18", 82, 17]);
});

test("deprecated indexed gen_ai.prompt.N / gen_ai.completion.N attributes (OpenLLMetry) store their messages, calls, model and tokens", () => {
  const f = read(openinferenceReader, "openllmetry-indexed-genai.json");
  assert.deepEqual(rows(f), [
    ["input", "system", "You answer weather questions.", null],
    ["input", "user", "Weather in Paris?", null],
    ["input", "assistant", null, null],
    ["input", "tool", "rainy, 14°C", "call_paris"],
    ["output", "assistant", "Let me also check the forecast.", null]
  ]);
  assert.deepEqual(calls(f), [["call_forecast", "get_forecast", '{"city": "Paris", "days": 2}', null, null, null]]);
  const s = f.spans[0]!;
  assert.deepEqual([s.kind, s.model, s.inputTokens, s.outputTokens], ["llm", "gpt-4o-2024-08-06", 64, 21]);
});

test("a hand-instrumented OTLP agent trace keeps session, model and tokens and stores each tool's arguments, result and outcome", () => {
  const f = read(otlpReader, "otlp-manual-agent-tools.json");
  const root = f.spans.find((s) => s.parentSpanId === null)!;
  assert.deepEqual(
    [root.kind, root.model, root.inputTokens, root.outputTokens],
    ["agent", "gpt-4o-2024-08-06", 812, 96]
  );
  assert.equal(f.traces[0]!.sessionId, "sess-42");
  assert.deepEqual(calls(f), [
    ["call_1", "get_weather", '{"city":"Paris"}', '{"temp_c":14,"sky":"rain"}', true, null],
    ["call_2", "book_hotel", '{"city":"Paris","nights":"2"}', "no rooms left", false, "no rooms left on those dates"],
    ["d7ad6b7169203333#0", "charge_card", '{"amount":120}', null, false, "card declined"]
  ]);
  // A tool that reports failure only through its success attribute marks its span failed, as error.type does.
  assert.deepEqual(
    f.spans.map((s) => s.status),
    ["ok", "unset", "error", "error"]
  );
});

test("Vercel AI SDK spans grouped by operation name read as their spans, with generateObject's object as the answer and embed tokens", () => {
  const {value, text} = fixture("vercel-ai-spans-by-operation.json");
  assert.ok(openinferenceReader.detect(value, "spans-by-operation.json"));
  const f = openinferenceReader.read(value, contextFor("spans-by-operation.json", text));
  assertValidFragment(f);
  assert.deepEqual(
    f.spans.map((s) => [s.name, s.kind, s.model, s.inputTokens, s.outputTokens]),
    [
      ["ai.generateObject", "chain", "gpt-4o-mini", 40, 52],
      ["ai.generateObject.doGenerate", "llm", "gpt-4o-mini-2024-07-18", 40, 52],
      ["ai.embed", "chain", "text-embedding-3-small", 6, null],
      ["ai.embed.doEmbed", "embedding", "text-embedding-3-small", 6, null]
    ]
  );
  const recipe = JSON.stringify({
    name: "Scrambled Eggs",
    ingredients: ["2 eggs", "1 tablespoon butter"],
    steps: ["Whisk the eggs.", "Stir them in the melted butter."]
  });
  assert.deepEqual(
    f.messages.map((m) => [m.spanId, m.direction, m.role, m.content]),
    [
      ["1a2b3c4d5e6f7a8b", "input", "user", "Give me a recipe for scrambled eggs."],
      ["1a2b3c4d5e6f7a8b", "output", "assistant", recipe],
      ["2b3c4d5e6f7a8b9c", "input", "user", "Give me a recipe for scrambled eggs."],
      ["2b3c4d5e6f7a8b9c", "output", "assistant", recipe]
    ]
  );
  // An object of lists that are not spans is refused with a reason, not read as one span of junk attributes.
  assert.throws(
    () => openinferenceReader.read({"ai.generateText": [{name: "x"}]}, contextFor("x.json", "{}")),
    /not a span attribute map/
  );
});

test("Langfuse messages written as {role, text} keep their role and their text as content", () => {
  const f = read(langfuseReader, "langfuse-role-text.json");
  assert.deepEqual(rows(f), [
    ["input", "system", "Answer in one sentence.", null],
    ["input", "user", "What is the capital of Norway?", null],
    ["output", "model", "Oslo is the capital of Norway.", null]
  ]);
  assert.deepEqual([f.spans[0]!.model, f.spans[0]!.inputTokens, f.spans[0]!.outputTokens], ["gemini-2.5-flash", 14, 8]);
});

test("progress and status observations that repeat a tool's name are not tool calls: two ran, two are stored", () => {
  const f = read(langfuseReader, "langfuse-langgraph-repeated-conversation.json");
  assert.deepEqual(calls(f), [
    ["call_a", "get_weather", '{"city": "Paris"}', "sunny, 21°C", true, null],
    ["call_b", "get_news", '{"topic": "Paris"}', "The Paris marathon is on Sunday.", true, null]
  ]);
  assert.deepEqual(
    f.toolCalls.map((c) => c.spanId),
    ["tool-a", "tool-b"]
  );
  assert.ok(
    f.spans.filter((s) => s.name === "tool progress" || s.name === "tool status").every((s) => s.kind === "span")
  );
});

test("a chain framework that repeats the whole conversation on every span stores each message of the trace once, in order", () => {
  const f = read(langfuseReader, "langfuse-langgraph-repeated-conversation.json");
  // The reader gives every observation its own messages, repeats included.
  assert.equal(f.messages.length, 26);
  assert.equal(dropRepeatedMessages(f), 20);
  assertValidFragment(f);
  assert.deepEqual(
    f.messages.map((m) => [m.spanId, m.direction, m.role, m.content, m.toolCallId]),
    [
      ["gen-1", "input", "system", "You are a helpful assistant.", null],
      ["gen-1", "input", "user", "Weather and news for Paris?", null],
      ["gen-1", "output", "assistant", "", null],
      ["gen-2", "input", "tool", "sunny, 21°C", "call_a"],
      ["gen-2", "input", "tool", "The Paris marathon is on Sunday.", "call_b"],
      ["gen-2", "output", "assistant", "Paris is sunny at 21°C, and the marathon is on Sunday.", null]
    ]
  );
  // The calls are unaffected: they belong to the generation that made them, executed by the tool observations.
  assert.equal(f.toolCalls.length, 2);
});

test("repeated-message removal keeps a message said twice and a model's repeated answer", () => {
  const span = (spanId: string, kind: "llm" | "chain", start: number) => ({
    traceId: "t",
    spanId,
    parentSpanId: null,
    name: spanId,
    kind,
    startTime: start,
    endTime: start + 1,
    status: "unset" as const,
    statusMessage: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes: {}
  });
  const msg = (spanId: string, index: number, direction: "input" | "output", role: string, content: string) => ({
    traceId: "t",
    spanId,
    index,
    direction,
    turn: 0,
    role,
    name: null,
    content,
    toolCallId: null
  });
  const f: Fragment = {
    traces: [],
    feedback: [],
    toolCalls: [],
    spans: [span("a", "llm", 1), span("b", "llm", 2), span("c", "chain", 3)],
    messages: [
      msg("a", 0, "input", "user", "yes"),
      msg("a", 1, "output", "assistant", "OK"),
      msg("b", 0, "input", "user", "yes"),
      msg("b", 1, "input", "assistant", "OK"),
      msg("b", 2, "input", "user", "yes"),
      msg("b", 3, "output", "assistant", "OK"),
      msg("c", 0, "output", "user", "yes"),
      msg("c", 1, "output", "assistant", "OK")
    ]
  };
  assert.equal(dropRepeatedMessages(f), 4);
  assert.deepEqual(
    f.messages.map((m) => [m.spanId, m.index, m.content]),
    [
      ["a", 0, "yes"],
      ["a", 1, "OK"],
      ["b", 2, "yes"],
      ["b", 3, "OK"]
    ]
  );
});

test("repeated-message removal tells apart long messages that differ in one character, and spans of two traces with one id", () => {
  const span = (traceId: string, spanId: string, start: number) => ({
    traceId,
    spanId,
    parentSpanId: null,
    name: spanId,
    kind: "llm" as const,
    startTime: start,
    endTime: start + 1,
    status: "unset" as const,
    statusMessage: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes: {}
  });
  const msg = (traceId: string, spanId: string, index: number, content: string) => ({
    traceId,
    spanId,
    index,
    direction: "input" as const,
    turn: 0,
    role: "user",
    name: null,
    content,
    toolCallId: null
  });
  // Two documents of the same length and ends, one character apart in the middle, are two messages.
  const long = "a".repeat(1000);
  const other = long.slice(0, 501) + "b" + long.slice(502);
  const f: Fragment = {
    traces: [],
    feedback: [],
    toolCalls: [],
    spans: [span("t1", "s", 1), span("t1", "s2", 2), span("t2", "s", 1), span("t2", "s2", 2)],
    messages: [
      msg("t1", "s", 0, long),
      msg("t1", "s2", 0, long),
      msg("t1", "s2", 1, other),
      msg("t2", "s", 0, other),
      msg("t2", "s2", 0, other),
      msg("t2", "s2", 1, other)
    ]
  };
  assert.equal(dropRepeatedMessages(f), 2);
  assert.deepEqual(
    f.messages.map((m) => [m.traceId, m.spanId, m.index, m.content === long ? "long" : "other"]),
    [
      ["t1", "s", 0, "long"],
      ["t1", "s2", 1, "other"],
      ["t2", "s", 0, "other"],
      ["t2", "s2", 1, "other"]
    ]
  );
});

test("ingest stores each message of a repeated conversation once and counts embedding tokens once per trace", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-conventions-"));
  t.after(() => rmSync(dir, {recursive: true, force: true}));
  const fixtures = ["langfuse-langgraph-repeated-conversation.json", "vercel-ai-spans-by-operation.json"];
  const summary = await ingest({
    workspace: dir,
    paths: fixtures.map((f) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url))),
    workers: 0
  });
  assert.equal(summary.added.spans, 20);
  const traces = await withReadConnection(dir, async (c) =>
    (
      await c.runAndReadAll(
        "SELECT trace_id, message_count, tool_call_count, input_tokens FROM traces ORDER BY trace_id"
      )
    ).getRowObjectsJS()
  );
  assert.deepEqual(
    traces.map((r) => [
      r.trace_id,
      r.message_count,
      r.tool_call_count,
      r.input_tokens === null ? null : Number(r.input_tokens)
    ]),
    [
      // generateObject's prompt and object, logged by the SDK span and again by the provider call, are stored once.
      ["5d1e7c0a2b3f4e5d6c7b8a9f0e1d2c3b", 2, 0, 40],
      // The embed call and the provider call under it both report 6 tokens; the trace read 6.
      ["6e2f8d1b3c4a5f6e7d8c9b0a1f2e3d4c", 0, 0, 6],
      ["lg-trace-7f3a", 6, 2, 330]
    ]
  );
});

test("reasoning, media and unknown content parts stay out of the stored text and are listed by type on the span", () => {
  const f = read(openinferenceReader, "genai-reasoning-and-unknown-parts.json");
  assert.deepEqual(rows(f), [
    ["input", "user", "Is 7919 prime?", null],
    ["output", "assistant", "Yes, 7919 is prime.", null]
  ]);
  const s = f.spans[0]!;
  assert.deepEqual(s.attributes["message.omitted_parts"], [
    {direction: "input", index: 0, types: ["blob"]},
    {direction: "output", index: 1, types: ["reasoning", "redacted_thinking"]}
  ]);
  assert.deepEqual([s.kind, s.model, s.inputTokens, s.outputTokens], ["llm", "o4-mini-2025-04-16", 25, 310]);
  // The payloads are in no message and in no list of left-out parts.
  const stored = JSON.stringify([f.messages, s.attributes["message.omitted_parts"]]);
  assert.ok(!stored.includes("gAAAAABoEncryptedReasoningPayload") && !stored.includes("iVBORw0KGgo"));
});
