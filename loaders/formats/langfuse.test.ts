import {test} from "node:test";
import assert from "node:assert/strict";
import type {Fragment, Message} from "../../src/core/schemas/trace.js";
import {assertValidFragment, contextFor} from "../fixtures/rowChecks.js";
import {listShared, readSharedText} from "../fixtures/sharedData.js";
import {contentText} from "./chatContent.js";
import {langfuseReader} from "./langfuse.js";
import {RecordError} from "./reader.js";

/**
 * The `.chatml.json` beside each export is what Langfuse's own ChatML adapters extract from each observation.
 * Our rows are compared with it by these rules (the expected side is put through the same storage rule the
 * reader uses, `contentText`, so structured content is compared as we store it):
 * - content: text as stored; an expected parts array or object becomes text by `contentText`; a message without
 *   a role whose data Langfuse moved to `json` (a tool's structured output) is that object's JSON; "" and a
 *   missing content are both "no text"; two texts that both parse as JSON are equal when the values are;
 * - role: as given; a message without a role is "assistant" on the output side and "user" on the input side,
 *   as Langfuse's viewer shows it;
 * - an expected message that carries nothing (no text, no tool calls, no tool call id: Langfuse's `{}` for an
 *   empty object, or a tool list attached to an unreadable string) is not a message.
 * Where Langfuse's extraction fails (`success: false`) we must have stored no message for that side.
 */
interface Expected {
  role: string;
  content: string | null;
  toolCalls: {id: string; name: string}[];
}

function normalizeExpected(raw: Record<string, unknown>, side: "input" | "output"): Expected | null {
  const toolCalls = Array.isArray(raw.tool_calls) ? (raw.tool_calls as {id: string; name: string}[]) : [];
  let content = contentText(raw.content);
  if (content === null && raw.role === undefined && raw.json !== undefined) content = JSON.stringify(raw.json);
  if (content === "") content = null;
  if (content === null && toolCalls.length === 0 && typeof raw.tool_call_id !== "string") return null;
  const role = typeof raw.role === "string" ? raw.role : side === "output" ? "assistant" : "user";
  return {role, content, toolCalls};
}

function sameContent(a: string | null, b: string | null): boolean {
  const x = a === "" ? null : a;
  const y = b === "" ? null : b;
  if (x === y) return true;
  if (x === null || y === null) return false;
  try {
    assert.deepEqual(JSON.parse(x), JSON.parse(y));
    return true;
  } catch {
    return false;
  }
}

interface Pair {
  name: string;
  fragment: Fragment;
  chatml: Record<string, Record<string, {success: boolean; data?: Record<string, unknown>[]}>>;
  observations: {id: string; input: unknown; output: unknown}[];
}

const pairs: Pair[] = listShared("formats/langfuse", ".trace.json").map((file) => {
  const name = file.replace(".trace.json", "");
  const text = readSharedText("formats", "langfuse", file);
  const value = JSON.parse(text) as {observations: Pair["observations"]};
  return {
    name,
    fragment: langfuseReader.read(value, contextFor(file, text)),
    chatml: JSON.parse(readSharedText("formats", "langfuse", `${name}.chatml.json`)) as Pair["chatml"],
    observations: value.observations
  };
});

function ours(f: Fragment, spanId: string, direction: "input" | "output"): Message[] {
  return f.messages.filter((m) => m.spanId === spanId && m.direction === direction).sort((a, b) => a.index - b.index);
}

test("langfuse fixtures are the ten framework exports the README lists", () => {
  assert.deepEqual(
    pairs.map((p) => p.name.replace(/-\d{4}-\d\d-\d\d$/, "")),
    [
      "agno",
      "autogen",
      "crewai",
      "google-adk",
      "langgraph-python",
      "llamaindex",
      "microsoft-agent",
      "openai-agents",
      "pydantic-ai-tools",
      "vercel-aisdk"
    ]
  );
});

let comparedTotal = 0;

for (const pair of pairs) {
  test(`langfuse reader extracts the messages Langfuse's own adapters extract from ${pair.name}`, () => {
    let compared = 0;
    for (const obs of pair.observations) {
      const entry = pair.chatml[obs.id] ?? {};
      for (const side of ["input", "output"] as const) {
        const got = ours(pair.fragment, obs.id, side);
        const expectedSide = entry[side];
        const where = `${pair.name} observation ${obs.id} ${side}`;
        if (!expectedSide || !expectedSide.success) {
          assert.deepEqual(
            got.map((m) => [m.role, m.content]),
            [],
            `${where}: Langfuse reads no messages here, so neither may we`
          );
          continue;
        }
        const expected = (expectedSide.data ?? [])
          .map((m) => normalizeExpected(m, side))
          .filter((m): m is Expected => m !== null);
        assert.deepEqual(
          got.map((m) => m.role),
          expected.map((m) => m.role),
          `${where}: roles`
        );
        for (const [i, e] of expected.entries()) {
          assert.ok(
            sameContent(got[i]!.content, e.content),
            `${where} message ${i}: content\n  ours:     ${JSON.stringify(got[i]!.content)?.slice(0, 300)}\n  Langfuse: ${JSON.stringify(e.content)?.slice(0, 300)}`
          );
          compared++;
          // Tool calls the observation produced are ToolCall rows of the trace, under the same id when it has one.
          if (side === "output") {
            for (const call of e.toolCalls) {
              const row = pair.fragment.toolCalls.find((c) => (call.id ? c.callId === call.id : c.name === call.name));
              assert.ok(
                row && row.name === call.name,
                `${where}: tool call ${call.name} ${call.id} has no ToolCall row`
              );
            }
          }
        }
      }
    }
    comparedTotal += compared;
    assertValidFragment(pair.fragment);
  });
}

test("langfuse reader matched all 92 ground-truth messages that carry text or tool calls, and stored no others", () => {
  // 92 is counted from the .chatml.json files alone (success entries, minus messages that carry nothing).
  assert.equal(comparedTotal, 92);
  assert.equal(
    pairs.reduce((sum, p) => sum + p.fragment.messages.length, 0),
    92
  );
});

test("langfuse reader turns observations into spans with kinds, tokens and cost, leaving unreported usage null", () => {
  const ms = pairs.find((p) => p.name.startsWith("microsoft-agent"))!.fragment;
  assert.deepEqual(ms.spans.map((s) => s.kind).sort(), ["agent", "llm", "llm", "tool"]);
  const chat = ms.spans.find((s) => s.spanId === "2406e8343fd49c0e")!;
  assert.deepEqual(
    [chat.model, chat.inputTokens, chat.outputTokens, chat.costUsd],
    ["gpt-5-mini-2025-08-07", 77, 86, 0.00019125]
  );
  const tool = ms.spans.find((s) => s.kind === "tool")!;
  assert.deepEqual([tool.inputTokens, tool.outputTokens, tool.costUsd], [null, null, null]);
  assert.equal(tool.attributes["gen_ai.tool.call.id"], "call_CwaJHuXTm9dmHFQPlVbqyzJ0");
  assert.equal(typeof chat.startTime, "number");
});

test("langfuse reader merges a tool observation with the call the model made, by call id or by tool name", () => {
  const ms = pairs.find((p) => p.name.startsWith("microsoft-agent"))!.fragment;
  const calls = ms.toolCalls.filter((c) => c.name === "get_weather");
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.callId, "call_CwaJHuXTm9dmHFQPlVbqyzJ0");
  assert.equal(calls[0]!.spanId, "a2de97aac476c036", "the executing TOOL observation holds the call");
  assert.equal(calls[0]!.result, "The weather in Tokyo, Japan is stormy with a high of 23°C.");
  assert.equal(calls[0]!.success, true);
  const agents = pairs.find((p) => p.name.startsWith("openai-agents"))!.fragment;
  // The OpenAI Agents TOOL observation names no call id; it answers the model's one get_weather call.
  assert.deepEqual(
    agents.toolCalls.map((c) => [c.callId, c.spanId, c.result]),
    [["call_Kud0j0DxWSmLzv9W5m6qVqXn", "5b99c3e3411ed17b", "The weather in Tokyo is sunny."]]
  );
  const pydantic = pairs.find((p) => p.name.startsWith("pydantic"))!.fragment;
  assert.deepEqual(
    pydantic.toolCalls.map((c) => [c.name, c.success]),
    [
      ["get_pun_suggestion", true],
      ["get_dad_joke_suggestion", true],
      ["get_one_liner_suggestion", true],
      // Pydantic AI's structured output travels as a `final_result` call that nothing executes: its outcome is unknown.
      ["final_result", null]
    ]
  );
  const adk = pairs.find((p) => p.name.startsWith("google-adk"))!.fragment;
  // Gemini's call carries no id; the ADK tool observation claims it and gives it the ADK call id.
  assert.deepEqual(
    adk.toolCalls.map((c) => [c.callId, c.spanId, c.success]),
    [["adk-8bd8dc65-717d-4102-858b-3a1dd6b75a00", "04290e4d82aba1bc", true]]
  );
  const agno = pairs.find((p) => p.name.startsWith("agno"))!.fragment;
  // agno's tool runs are SPANs carrying tool.name: they are tool executions too.
  assert.deepEqual(
    agno.toolCalls.map((c) => [c.callId, c.spanId, c.success]),
    [["call_VybxG748CQId8Xxo6wb2pWy1", "6581e147aec6793a", true]]
  );
  const graph = pairs.find((p) => p.name.startsWith("langgraph"))!.fragment;
  // The call belongs to the generation that made it, though the graph's enclosing spans repeat it in their outputs.
  assert.deepEqual(
    graph.toolCalls.map((c) => [c.callId, c.spanId, c.success]),
    [["call_1oGK863sxQHlPreFhDdEs3yl", "4f6535aaebcda355", true]]
  );
});

test("langfuse reader keeps the 13 LLM-judge scores as eval feedback", () => {
  const feedback = pairs.flatMap((p) => p.fragment.feedback);
  assert.equal(feedback.length, 13);
  assert.ok(feedback.every((f) => f.source === "eval" && f.value !== null));
  const crew = pairs.find((p) => p.name.startsWith("crewai"))!.fragment.feedback;
  assert.deepEqual(crew.map((f) => [f.name, f.value]).sort(), [
    ["hallucination", 1],
    ["toxicity", 0.8]
  ]);
});

test("langfuse reader fills the trace's session, user, tags and start from the export", () => {
  const autogen = pairs.find((p) => p.name.startsWith("autogen"))!.fragment.traces[0]!;
  assert.deepEqual([autogen.sessionId, autogen.userId, autogen.tags], ["session_abc", "user_123", ["autogen", "dev"]]);
  assert.equal(autogen.startTime, Date.parse("2025-06-06T11:31:33.965Z"));
  assert.equal(autogen.status, null);
  assert.equal(autogen.inputTokens, null);
  for (const p of pairs) {
    assert.equal(p.fragment.traces.length, 1);
    assert.equal(p.fragment.spans.length, p.observations.length);
  }
});

test("langfuse reader rejects exports without a trace id or with observations of another trace", () => {
  const text = readSharedText("formats", "langfuse", "autogen-2025-06-06.trace.json");
  const value = JSON.parse(text) as {trace: Record<string, unknown>; observations: Record<string, unknown>[]};
  assert.throws(
    () => langfuseReader.read({...value, trace: {...value.trace, id: undefined}}, contextFor("x", "")),
    /trace.id is missing/
  );
  const foreign = {...value, observations: [{...value.observations[0], traceId: "other"}]};
  assert.throws(() => langfuseReader.read(foreign, contextFor("x", "")), /belongs to trace other/);
  assert.throws(
    () => langfuseReader.read({...value, observations: [{type: "SPAN"}]}, contextFor("x", "")),
    /observation 0 has no id/
  );
  assert.throws(() => langfuseReader.read({trace: {}}, contextFor("x", "")), RecordError);
});
