import assert from "node:assert/strict";
import {execFile} from "node:child_process";
import {join} from "node:path";
import {test} from "node:test";
import {promisify} from "node:util";
import {SpanKind} from "@opentelemetry/api";
import {OTLPTraceExporter as HttpExporter} from "@opentelemetry/exporter-trace-otlp-http";
import {OTLPTraceExporter as ProtoExporter} from "@opentelemetry/exporter-trace-otlp-proto";
import {NodeTracerProvider, SimpleSpanProcessor} from "@opentelemetry/sdk-trace-node";
import {removeTempDir, tempDir} from "../fixtures/tempDir.js";
import {chatCompletion, startFakeOpenAI} from "../judge/fakeOpenAI.js";
import {startServer, type RunningServer} from "../server/serve.js";
import {withReadConnection} from "../store/db.js";
import {PROJECT_ROOT} from "../workspace/changed.js";

const TOKEN = "intake-test-token";

/** A server on a workspace of its own, removed after the server has closed (its catch-up may still be writing). */
async function serverIn(t: {after(fn: () => unknown): void}): Promise<{server: RunningServer; workspace: string}> {
  const workspace = tempDir("exporters");
  const server = await startServer({workspace, host: "127.0.0.1", port: 0, otlpPort: 0, token: TOKEN, pages: false});
  t.after(async () => {
    await server.close();
    removeTempDir(workspace);
  });
  return {server, workspace};
}

const rows = (workspace: string, sql: string) =>
  withReadConnection(workspace, async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson());

/** A small GenAI trace through the OpenTelemetry SDK; the provider is not registered globally. */
async function sendTrace(exporter: HttpExporter | ProtoExporter): Promise<void> {
  const provider = new NodeTracerProvider({spanProcessors: [new SimpleSpanProcessor(exporter)]});
  const tracer = provider.getTracer("intake-test");
  const span = tracer.startSpan("chat gpt-4o", {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 4,
      "gen_ai.input.messages": JSON.stringify([{role: "user", parts: [{type: "text", content: "Hello?"}]}]),
      "gen_ai.output.messages": JSON.stringify([{role: "assistant", parts: [{type: "text", content: "Hi."}]}])
    }
  });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
}

for (const [name, Exporter] of [
  ["OTLP/HTTP JSON", HttpExporter],
  ["OTLP/HTTP protobuf", ProtoExporter]
] as const) {
  test(`the OpenTelemetry SDK's ${name} exporter delivers a GenAI span, on the main port and on the OTLP port`, async (t) => {
    const {server, workspace} = await serverIn(t);
    for (const url of [`${server.url}/v1/traces`, `http://127.0.0.1:${server.otlpPort}/v1/traces`]) {
      await sendTrace(new Exporter({url, headers: {Authorization: `Bearer ${TOKEN}`}}));
    }
    await server.receiver.flush();
    const spans = await rows(workspace, "SELECT model, input_tokens, output_tokens FROM spans");
    assert.deepEqual(spans, [
      {model: "gpt-4o", input_tokens: "12", output_tokens: "4"},
      {model: "gpt-4o", input_tokens: "12", output_tokens: "4"}
    ]);
    const messages = await rows(workspace, "SELECT role, content FROM messages ORDER BY trace_id, direction");
    assert.deepEqual(messages.slice(0, 2), [
      {role: "user", content: "Hello?"},
      {role: "assistant", content: "Hi."}
    ]);
  });
}

test("a request without the server's token is refused with 401 and nothing is logged", async (t) => {
  const {server, workspace} = await serverIn(t);
  for (const url of [`${server.url}/v1/traces`, `http://127.0.0.1:${server.otlpPort}/v1/traces`]) {
    const response = await fetch(url, {method: "POST", headers: {"content-type": "application/json"}, body: "{}"});
    assert.equal(response.status, 401);
    await response.body?.cancel();
  }
  const wrong = await fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: {"content-type": "application/json", authorization: "Bearer wrong"},
    body: "{}"
  });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
});

test("the OpenInference OpenAI instrumentation's spans land with messages, tool calls, model and tokens", async (t) => {
  const {server, workspace} = await serverIn(t);
  const openai = await startFakeOpenAI();
  t.after(() => openai.close());
  const toolCall = chatCompletion("", {prompt_tokens: 40, completion_tokens: 9}, "gpt-4o-mini");
  const choice = (toolCall.json as {choices: {message: Record<string, unknown>; finish_reason: string}[]}).choices[0]!;
  choice.message = {
    role: "assistant",
    content: null,
    refusal: null,
    tool_calls: [{id: "call_1", type: "function", function: {name: "get_weather", arguments: '{"city":"Paris"}'}}]
  };
  choice.finish_reason = "tool_calls";
  openai.enqueue(
    "chat",
    toolCall,
    chatCompletion("Sunny, 21 °C.", {prompt_tokens: 60, completion_tokens: 7}, "gpt-4o-mini")
  );
  const script = join(PROJECT_ROOT, "loaders", "intake", "fixtures", "instrumentedChat.ts");
  const {stdout} = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", script, `${server.url}/v1/traces`, TOKEN, openai.baseURL],
    {cwd: PROJECT_ROOT}
  );
  assert.match(stdout, /sent/);
  await server.receiver.flush();
  const traces = await rows(
    workspace,
    "SELECT span_count, model, input_tokens, output_tokens, tool_call_count FROM traces"
  );
  assert.deepEqual(traces, [
    {span_count: 3, model: "gpt-4o-mini", input_tokens: "100", output_tokens: "16", tool_call_count: 1}
  ]);
  const messages = await rows(workspace, "SELECT role, content FROM messages ORDER BY span_id IS NULL, direction, idx");
  const said = messages.map((m) => `${m.role}: ${m.content ?? ""}`);
  assert.ok(said.includes("user: What is the weather in Paris?"), said.join("\n"));
  assert.ok(said.includes("assistant: Sunny, 21 °C."), said.join("\n"));
  const calls = await rows(workspace, "SELECT name, arguments, result FROM tool_calls");
  assert.deepEqual(calls, [{name: "get_weather", arguments: '{"city":"Paris"}', result: '{"sky":"sunny","c":21}'}]);
});
