import {test} from "node:test";
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import type {Fragment} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor} from "../fixtures/rowChecks.js";
import {openinferenceReader} from "./openinference.js";
import {otlpReader} from "./otlp.js";

/**
 * One test per instrumentation shape, each reading a small fixture in `fixtures/` written from that convention's
 * documentation (see `fixtures/SOURCE.md`), and asserting the stored messages, tool calls, model and tokens.
 */
function fixture(name: string): {value: unknown; text: string} {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
  return {value: JSON.parse(text), text};
}

function read(reader: typeof otlpReader, name: string): Fragment {
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
  assert.deepEqual([root.kind, root.model, root.inputTokens, root.outputTokens], ["agent", "gpt-4o-2024-08-06", 812, 96]);
  assert.equal(f.traces[0]!.sessionId, "sess-42");
  assert.deepEqual(calls(f), [
    ["call_1", "get_weather", '{"city":"Paris"}', '{"temp_c":14,"sky":"rain"}', true, null],
    ["call_2", "book_hotel", '{"city":"Paris","nights":"2"}', "no rooms left", false, "no rooms left on those dates"],
    ["d7ad6b7169203333#0", "charge_card", '{"amount":120}', null, false, "card declined"]
  ]);
  // A tool that reports failure only through its success attribute marks its span failed, as error.type does.
  assert.deepEqual(f.spans.map((s) => s.status), ["ok", "unset", "error", "error"]);
});

test("Vercel AI SDK spans grouped by operation name read as their spans, with generateObject's object as the answer and embed tokens", () => {
  const {value, text} = fixture("vercel-ai-spans-by-operation.json");
  assert.ok(openinferenceReader.detect(value, "spans-by-operation.json"));
  const f = openinferenceReader.read(value, contextFor("spans-by-operation.json", text));
  assertValidFragment(f);
  assert.deepEqual(f.spans.map((s) => [s.name, s.kind, s.model, s.inputTokens, s.outputTokens]), [
    ["ai.generateObject", "chain", "gpt-4o-mini", 40, 52],
    ["ai.generateObject.doGenerate", "llm", "gpt-4o-mini-2024-07-18", 40, 52],
    ["ai.embed", "chain", "text-embedding-3-small", 6, null],
    ["ai.embed.doEmbed", "embedding", "text-embedding-3-small", 6, null]
  ]);
  const recipe = JSON.stringify({name: "Scrambled Eggs", ingredients: ["2 eggs", "1 tablespoon butter"], steps: ["Whisk the eggs.", "Stir them in the melted butter."]});
  assert.deepEqual(f.messages.map((m) => [m.spanId, m.direction, m.role, m.content]), [
    ["1a2b3c4d5e6f7a8b", "input", "user", "Give me a recipe for scrambled eggs."],
    ["1a2b3c4d5e6f7a8b", "output", "assistant", recipe],
    ["2b3c4d5e6f7a8b9c", "input", "user", "Give me a recipe for scrambled eggs."],
    ["2b3c4d5e6f7a8b9c", "output", "assistant", recipe]
  ]);
  // An object of lists that are not spans is refused with a reason, not read as one span of junk attributes.
  assert.throws(() => openinferenceReader.read({"ai.generateText": [{name: "x"}]}, contextFor("x.json", "{}")), /not a span attribute map/);
});
