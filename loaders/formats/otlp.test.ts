import {test} from "node:test";
import assert from "node:assert/strict";
import {otlpRequest} from "../fixtures/otlpBuild.js";
import {assertValidFragment, contextFor} from "../fixtures/rowChecks.js";
import {readSharedJson, readSharedText} from "../fixtures/sharedData.js";
import {otlpReader} from "./otlp.js";
import {generateOtlpLine, syntheticTraceId} from "./otlpSynth.js";
import {nanosToMs} from "./otlpValues.js";
import {RecordError} from "./reader.js";

const ctx = contextFor("trace.json", "");
const genaiChat = readSharedJson("formats", "openinference", "otel_genai_client_span_tool_calls.json") as Record<
  string,
  unknown
>;
const genaiTool = readSharedJson("formats", "openinference", "otel_genai_tool_execution_span.json") as Record<
  string,
  unknown
>;
const oiChat = readSharedJson("formats", "openinference", "openinference_client_span_tool_calls.json") as Record<
  string,
  unknown
>;
const TRACE = "0af7651916cd43dd8448eb211c80319c";

test("otlp reader reads the OTLP example span with lower-cased ids and keeps its orphan parent", () => {
  const text = readSharedText("formats", "otlp", "trace.json");
  const f = otlpReader.read(JSON.parse(text), contextFor("trace.json", text));
  assert.equal(f.spans.length, 1);
  const s = f.spans[0]!;
  assert.equal(s.traceId, "5b8efff798038103d269b633813fc60c");
  assert.equal(s.spanId, "eee19b7ec3c1b174");
  // The parent is not in the file; the span is kept and still names it.
  assert.equal(s.parentSpanId, "eee19b7ec3c1b173");
  assert.equal(s.name, "I'm a server span");
  assert.equal(s.startTime, 1544712660000);
  assert.equal(s.endTime, 1544712661000);
  assert.equal(s.status, "unset");
  assert.equal(s.kind, "span");
  assert.equal(s.model, null);
  assert.equal(s.inputTokens, null);
  assert.equal(s.attributes["my.span.attr"], "some value");
  assert.equal(s.attributes["otel.resource"], undefined, "resource attributes are not copied into every span");
  assert.equal(f.traces.length, 1, "the trace records the resource and scope it came from");
  assert.deepEqual(f.traces[0]!.metadata["otel.resource"], {"service.name": "my.service"});
  assert.deepEqual(f.traces[0]!.metadata["otel.scope"], {name: "my.library", version: "1.0.0"});
  assert.equal(f.traces[0]!.sessionId, null);
  assertValidFragment(f);
});

test("otlp reader finds no feedback in the OTLP logs example, whose one event is a page view", () => {
  const f = otlpReader.read(readSharedJson("formats", "otlp", "events.json"), ctx);
  assert.deepEqual(f, {traces: [], spans: [], messages: [], toolCalls: [], feedback: []});
});

test("otlp reader turns a gen_ai.evaluation.result log event that names its span into eval feedback", () => {
  const logs = readSharedJson("formats", "otlp", "events.json") as {
    resourceLogs: {scopeLogs: {logRecords: Record<string, unknown>[]}[]}[];
  };
  const record = logs.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
  record.eventName = "gen_ai.evaluation.result";
  record.traceId = TRACE.toUpperCase();
  record.spanId = "B7AD6B7169203331";
  record.attributes = [
    {key: "gen_ai.evaluation.name", value: {stringValue: "Relevance"}},
    {key: "gen_ai.evaluation.score.value", value: {doubleValue: 4.0}},
    {key: "gen_ai.evaluation.score.label", value: {stringValue: "relevant"}},
    {key: "gen_ai.evaluation.explanation", value: {stringValue: "Answers the question."}}
  ];
  const f = otlpReader.read(logs, ctx);
  assert.deepEqual(f.feedback, [
    {
      traceId: TRACE,
      spanId: "b7ad6b7169203331",
      name: "Relevance",
      value: 4,
      label: "relevant",
      comment: "Answers the question.",
      source: "eval"
    }
  ]);
  assertValidFragment(f);
});

function genaiRequest() {
  return otlpRequest([
    {traceId: TRACE, spanId: "00f067aa0ba902b7", name: "chat gpt-4", attributes: genaiChat},
    {
      traceId: TRACE,
      spanId: "00f067aa0ba902b8",
      parentSpanId: "00f067aa0ba902b7",
      name: "execute_tool get_weather",
      attributes: genaiTool
    }
  ]);
}

test("otlp reader maps a real GenAI chat span: kind, response model, tokens and its input and output messages", () => {
  const f = otlpReader.read(genaiRequest(), ctx);
  const chat = f.spans[0]!;
  assert.equal(chat.kind, "llm");
  assert.equal(chat.model, "gpt-4-0613");
  assert.equal(chat.inputTokens, 97);
  assert.equal(chat.outputTokens, 52);
  const messages = f.messages.filter((m) => m.spanId === chat.spanId);
  assert.deepEqual(
    messages.map((m) => [m.direction, m.index, m.turn, m.role, m.content, m.toolCallId]),
    [
      ["input", 0, 1, "user", "Weather in Paris?", null],
      ["input", 1, 1, "assistant", "Absolutely! Let me check the weather for you.", null],
      ["input", 2, 1, "tool", "rainy, 57°F", "1234"],
      ["output", 3, 1, "assistant", "The weather in Paris is currently rainy with a temperature of 57°F.", null]
    ]
  );
  assertValidFragment(f);
});

test("otlp reader makes one ToolCall of an execute_tool span, filled from its arguments and result", () => {
  const f = otlpReader.read(genaiRequest(), ctx);
  const tool = f.spans[1]!;
  assert.equal(tool.kind, "tool");
  // The chat span's input repeats an earlier call as history; only the execution span records a call.
  assert.equal(f.toolCalls.length, 1);
  const call = f.toolCalls[0]!;
  assert.equal(call.callId, "1234");
  assert.equal(call.spanId, tool.spanId);
  assert.equal(call.name, "get_weather");
  assert.equal(call.arguments, '{"city": "New York"}');
  assert.match(call.result ?? "", /sunny with a temperature of 25 degrees/);
  assert.equal(call.success, true);
  assert.equal(call.error, null);
});

test("otlp reader marks a tool span failed when its status is error or error.type is set", () => {
  const f = otlpReader.read(
    otlpRequest([
      {
        traceId: TRACE,
        spanId: "1111111111111111",
        name: "execute_tool a",
        attributes: {...genaiTool, "gen_ai.tool.call.id": "c1"},
        status: {code: 2, message: "boom"}
      },
      {
        traceId: TRACE,
        spanId: "2222222222222222",
        name: "execute_tool b",
        attributes: {...genaiTool, "gen_ai.tool.call.id": "c2", "error.type": "TimeoutError"}
      }
    ]),
    ctx
  );
  assert.deepEqual(
    f.spans.map((s) => [s.status, s.statusMessage]),
    [
      ["error", "boom"],
      ["error", "TimeoutError"]
    ]
  );
  assert.deepEqual(
    f.toolCalls.map((c) => [c.callId, c.success, c.error]),
    [
      ["c1", false, "boom"],
      ["c2", false, "TimeoutError"]
    ]
  );
});

test("otlp reader reads OpenInference attributes on OTLP spans as Phoenix exports them", () => {
  const f = otlpReader.read(
    otlpRequest([{traceId: TRACE, spanId: "3333333333333333", name: "ChatCompletion", attributes: oiChat}]),
    ctx
  );
  const s = f.spans[0]!;
  assert.equal(s.kind, "llm");
  assert.equal(s.model, "gpt-4-0613");
  assert.equal(s.inputTokens, 97);
  assert.deepEqual(
    f.messages.map((m) => [m.direction, m.role, m.content]),
    [
      ["input", "user", "Weather in Paris?"],
      ["input", "assistant", "Absolutely! Let me check the weather for you."],
      ["input", "tool", "rainy, 57°F"],
      ["output", "assistant", "The weather in Paris is currently rainy with a temperature of 57°F."]
    ]
  );
  assertValidFragment(f);
});

test("otlp reader gives unknown operation names the plain span kind, even names of object members", () => {
  const f = otlpReader.read(
    otlpRequest([
      {traceId: TRACE, spanId: "8888888888888881", name: "a", attributes: {"gen_ai.operation.name": "constructor"}},
      {traceId: TRACE, spanId: "8888888888888882", name: "b", attributes: {"openinference.span.kind": "toString"}},
      {traceId: TRACE, spanId: "8888888888888883", name: "c", attributes: {"gen_ai.operation.name": "embeddings"}}
    ]),
    ctx
  );
  assert.deepEqual(
    f.spans.map((s) => s.kind),
    ["span", "span", "embedding"]
  );
  assertValidFragment(f);
});

test("otlp reader turns gen_ai.evaluation.result span events into eval feedback on that span", () => {
  const f = otlpReader.read(
    otlpRequest([
      {
        traceId: TRACE,
        spanId: "4444444444444444",
        name: "chat",
        attributes: {"gen_ai.operation.name": "chat"},
        events: [
          {
            name: "gen_ai.evaluation.result",
            attributes: {
              "gen_ai.evaluation.name": "correctness",
              "gen_ai.evaluation.score.value": 0,
              "gen_ai.evaluation.score.label": "fail"
            }
          }
        ]
      }
    ]),
    ctx
  );
  assert.deepEqual(f.feedback, [
    {
      traceId: TRACE,
      spanId: "4444444444444444",
      name: "correctness",
      value: 0,
      label: "fail",
      comment: null,
      source: "eval"
    }
  ]);
});

test("otlp reader emits one TraceInfo per trace, with session, user and prompt version where spans carry them", () => {
  const other = "9".repeat(32);
  const f = otlpReader.read(
    otlpRequest([
      {
        traceId: TRACE,
        spanId: "5555555555555551",
        name: "agent",
        attributes: {"gen_ai.operation.name": "invoke_agent", "gen_ai.conversation.id": "conv_1"}
      },
      {
        traceId: TRACE,
        spanId: "5555555555555552",
        name: "chat",
        attributes: {"enduser.id": "u-7", "gen_ai.prompt.version": "v3"}
      },
      {traceId: other, spanId: "5555555555555553", name: "chat", attributes: {"gen_ai.operation.name": "chat"}}
    ]),
    ctx
  );
  assert.deepEqual(
    f.traces.map((t) => t.traceId),
    [TRACE, other]
  );
  const t = f.traces[0]!;
  assert.deepEqual([t.traceId, t.sessionId, t.userId, t.promptVersion], [TRACE, "conv_1", "u-7", "v3"]);
  assert.deepEqual([f.traces[1]!.sessionId, f.traces[1]!.userId], [null, null]);
  assert.equal(t.inputTokens, null);
  assert.equal(t.startTime, null);
  assertValidFragment(f);
});

test("otlp reader flattens every AnyValue kind and keeps integers beyond 2^53 as strings", () => {
  const request = otlpRequest([{traceId: TRACE, spanId: "6666666666666666", name: "s", attributes: {}}]);
  const span = (request.resourceSpans as {scopeSpans: {spans: Record<string, unknown>[]}[]}[])[0]!.scopeSpans[0]!
    .spans[0]!;
  span.attributes = [
    {key: "i", value: {intValue: "42"}},
    {key: "big", value: {intValue: "9007199254740993"}},
    {key: "d", value: {doubleValue: 0.5}},
    {key: "nan", value: {doubleValue: "NaN"}},
    {key: "b", value: {boolValue: false}},
    {key: "bytes", value: {bytesValue: "AQID"}},
    {key: "arr", value: {arrayValue: {values: [{stringValue: "x"}, {intValue: "1"}]}}},
    {key: "kv", value: {kvlistValue: {values: [{key: "k", value: {stringValue: "v"}}]}}},
    {key: "empty", value: {}}
  ];
  const attrs = otlpReader.read(request, ctx).spans[0]!.attributes;
  assert.deepEqual(attrs, {
    i: 42,
    big: "9007199254740993",
    d: 0.5,
    nan: "NaN",
    b: false,
    bytes: "AQID",
    arr: ["x", 1],
    kv: {k: "v"},
    empty: null
  });
});

test("otlp reader converts base64 ids, as protobuf's JSON mapping writes them, to hex", () => {
  const request = otlpRequest([
    {traceId: "CvdlGRbNQ92ESOshHIAxnA==", spanId: "APBnqgupArc=", name: "s", attributes: {}}
  ]);
  const s = otlpReader.read(request, ctx).spans[0]!;
  assert.equal(s.traceId, TRACE);
  assert.equal(s.spanId, "00f067aa0ba902b7");
});

test("otlp nanosecond times become epoch milliseconds with the sub-millisecond digits as a fraction", () => {
  assert.equal(nanosToMs("1544712660123456789", 0, "t"), 1544712660123.4568);
  assert.equal(nanosToMs("1544712660000000000", 0, "t"), 1544712660000);
  assert.equal(nanosToMs("0", 0, "t"), null);
  assert.equal(nanosToMs(undefined, 0, "t"), null);
  assert.throws(() => nanosToMs("17e9", 3, "startTimeUnixNano"), /span 3: startTimeUnixNano is not a decimal number/);
});

test("otlp reader rejects malformed spans with a RecordError naming the span and the field", () => {
  const bad = (patch: Record<string, unknown>, index = 1) => {
    const request = otlpRequest([
      {traceId: TRACE, spanId: "7777777777777771", name: "ok", attributes: {}},
      {traceId: TRACE, spanId: "7777777777777772", name: "bad", attributes: {}}
    ]);
    const spans = (request.resourceSpans as {scopeSpans: {spans: Record<string, unknown>[]}[]}[])[0]!.scopeSpans[0]!
      .spans;
    Object.assign(spans[index]!, patch);
    return () => otlpReader.read(request, ctx);
  };
  assert.throws(
    bad({traceId: undefined}),
    (e: unknown) => e instanceof RecordError && e.message === "span 1: traceId missing"
  );
  assert.throws(bad({spanId: 17}), /span 1: spanId is not a string/);
  assert.throws(bad({traceId: ""}), /span 1: traceId is empty/);
  assert.throws(bad({attributes: {a: 1}}), /span 1: attributes is not an array/);
  assert.throws(bad({attributes: [{value: {stringValue: "x"}}]}), /span 1: attribute 0 has no string key/);
  assert.throws(bad({startTimeUnixNano: "soon"}), /span 1: startTimeUnixNano is not a decimal number/);
  assert.throws(bad({name: 5}), /span 1: name is not a string/);
  assert.throws(bad({status: "ERROR"}), /span 1: status is not an object/);
  assert.throws(() => otlpReader.read({resourceSpans: {}}, ctx), /resourceSpans is not an array/);
  assert.throws(() => otlpReader.read([], ctx), RecordError);
});

test("the synthetic generator gives each of 400,000 traces (4M spans) an id of its own", () => {
  const ids = new Set<string>();
  for (let line = 0; line < 40_000; line++) for (let t = 0; t < 10; t++) ids.add(syntheticTraceId(line, t));
  assert.equal(ids.size, 400_000);
  const line = JSON.parse(generateOtlpLine(7, 20)) as {resourceSpans: {scopeSpans: {spans: {traceId: string}[]}[]}[]};
  const used = new Set(line.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.traceId));
  assert.deepEqual([...used], [syntheticTraceId(7, 0), syntheticTraceId(7, 1)], "the lines use these ids");
});

test("otlp reader reads a synthetic benchmark line into 100 valid GenAI spans with messages and tool calls", () => {
  const line = generateOtlpLine(3, 100);
  const f = otlpReader.read(JSON.parse(line), contextFor("bench.jsonl", line));
  assert.equal(f.spans.length, 100);
  assert.equal(f.spans.filter((s) => s.kind === "llm").length, 50);
  assert.equal(f.spans.filter((s) => s.kind === "tool").length, 40);
  assert.equal(f.toolCalls.length, 40);
  assert.equal(f.traces.length, 10, "every trace records its resource");
  assert.equal(f.traces.filter((t) => t.sessionId !== null).length, 5, "every other trace has a session");
  assert.equal(f.messages.length, 150);
  assert.ok(f.toolCalls.some((c) => c.success === false));
  assert.equal(line, generateOtlpLine(3, 100), "the generator is deterministic");
  assertValidFragment(f);
});

test("otlp reader moves readable message payloads out of span attributes and keeps an unreadable one", () => {
  const input = JSON.stringify([{role: "user", parts: [{type: "text", content: "hi"}]}]);
  const request = otlpRequest([
    {
      traceId: TRACE,
      spanId: "7777777777777777",
      name: "chat",
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.input.messages": input,
        "gen_ai.output.messages": "{not json"
      }
    }
  ]);
  const f = otlpReader.read(request, ctx);
  const attrs = f.spans[0]!.attributes;
  assert.equal(attrs["gen_ai.input.messages"], undefined, "the payload now lives in the messages rows");
  assert.equal(attrs["gen_ai.output.messages"], "{not json", "an unreadable payload stays as it came");
  assert.deepEqual(
    f.messages.map((m) => [m.direction, m.role, m.content]),
    [["input", "user", "hi"]]
  );
});
