/**
 * @module The traces the browser tests build their site from: an agent run with a failed tool call, a
 * multi-agent chat, an errored trace that reported no tokens, and a trace whose text is hostile HTML.
 */
import {span, traceInfo, type Message, type ToolCall} from "../../src/core/schemas/trace.js";
import type {FixtureTrace} from "./fixtureWorkspace.js";

const T0 = Date.UTC(2026, 0, 5, 9, 30);

/** Message text that would run script if any part of the page rendered trace content as HTML. */
export const HOSTILE_SCRIPT = "<script>window.__xss=1</script>";
export const HOSTILE_IMAGE = `<img src=x onerror="window.__xss=2">`;
export const HOSTILE_TRACE_ID = "trace-hostile";

function message(traceId: string, index: number, fields: Partial<Message> & Pick<Message, "role" | "content">): Message {
  return {traceId, spanId: null, index, direction: "transcript", turn: 0, name: null, toolCallId: null, ...fields};
}

function toolCall(traceId: string, fields: Partial<ToolCall> & Pick<ToolCall, "callId" | "name">): ToolCall {
  return {traceId, spanId: null, index: 0, arguments: null, result: null, success: null, error: null, ...fields};
}

function agentRun(): FixtureTrace {
  const id = "trace-refund";
  return {
    format: "otlp",
    info: traceInfo(id, {name: "refund agent", sessionId: "session-7", model: "gpt-4o", promptVersion: "v2",
      startTime: T0, endTime: T0 + 4200, status: "ok", inputTokens: 1200, outputTokens: 310, costUsd: 0.0123}),
    spans: [
      span(id, "root", {name: "agent run", kind: "agent", startTime: T0, endTime: T0 + 4200, status: "ok"}),
      span(id, "llm-1", {parentSpanId: "root", name: "chat gpt-4o", kind: "llm", startTime: T0 + 100, endTime: T0 + 1500,
        status: "ok", model: "gpt-4o", inputTokens: 500, outputTokens: 60, attributes: {"gen_ai.request.model": "gpt-4o"}}),
      span(id, "tool-1", {parentSpanId: "root", name: "lookup_order", kind: "tool", startTime: T0 + 1600, endTime: T0 + 1900,
        status: "error", statusMessage: "KeyError: order 991 not found"}),
      span(id, "llm-2", {parentSpanId: "root", name: "chat gpt-4o", kind: "llm", startTime: T0 + 2000, endTime: T0 + 4100,
        status: "ok", model: "gpt-4o", inputTokens: 700, outputTokens: 250})
    ],
    messages: [
      message(id, 0, {role: "system", content: "You are a refund assistant."}),
      message(id, 1, {role: "user", content: "Where is my refund for order 991?"}),
      message(id, 2, {role: "assistant", content: null, name: "planner"}),
      message(id, 3, {role: "tool", content: "KeyError: order 991 not found", toolCallId: "call-1"}),
      message(id, 4, {role: "assistant", content: "I could not find order 991. Could you check the number?", name: "planner"}),
      message(id, 5, {role: "user", content: "It is 919, sorry.", turn: 1})
    ],
    toolCalls: [toolCall(id, {spanId: "tool-1", callId: "call-1", name: "lookup_order", arguments: '{"order_id": 991}',
      success: false, error: "KeyError: order 991 not found"})],
    feedback: [{traceId: id, spanId: null, name: "thumbs", value: 0, label: "down", comment: "wrong order", source: "user"}]
  };
}

function multiAgentChat(): FixtureTrace {
  const id = "trace-weather";
  return {
    format: "who-and-when",
    info: traceInfo(id, {name: "weather team", startTime: T0 + 60_000, endTime: T0 + 65_000, status: "ok"}),
    spans: [],
    messages: [
      message(id, 0, {role: "user", content: "Will it rain in Lyon tomorrow?"}),
      message(id, 1, {role: "assistant", name: "Orchestrator", content: "Asking the forecaster."}),
      message(id, 2, {role: "assistant", name: "Forecaster", content: "70% chance of rain after 3 pm."})
    ],
    toolCalls: [],
    feedback: []
  };
}

function failedWithoutTokens(): FixtureTrace {
  const id = "trace-timeout";
  return {
    format: "langfuse",
    info: traceInfo(id, {name: "summarize", startTime: T0 + 120_000, endTime: T0 + 150_000, status: "error", model: "claude-3-5"}),
    spans: [span(id, "gen", {name: "generation", kind: "llm", startTime: T0 + 120_000, endTime: T0 + 150_000,
      status: "error", statusMessage: "upstream timeout after 30s"})],
    messages: [message(id, 0, {role: "user", content: "Summarize the attached contract."})],
    toolCalls: [],
    feedback: []
  };
}

function hostile(): FixtureTrace {
  const id = HOSTILE_TRACE_ID;
  return {
    format: "chat-jsonl",
    info: traceInfo(id, {name: `hostile ${HOSTILE_IMAGE}`, startTime: T0 + 180_000, endTime: T0 + 181_000, status: "ok"}),
    spans: [span(id, "s", {name: HOSTILE_SCRIPT, kind: "llm", startTime: T0 + 180_000, endTime: T0 + 181_000,
      status: "ok", attributes: {"input.value": HOSTILE_IMAGE}})],
    messages: [
      message(id, 0, {role: "user", content: HOSTILE_SCRIPT}),
      message(id, 1, {role: "assistant", name: HOSTILE_IMAGE, content: HOSTILE_IMAGE}),
      message(id, 2, {role: "tool", content: HOSTILE_SCRIPT, toolCallId: "call-x"})
    ],
    toolCalls: [toolCall(id, {callId: "call-x", name: "render", arguments: HOSTILE_IMAGE, result: HOSTILE_SCRIPT, success: true})],
    feedback: [{traceId: id, spanId: null, name: "note", value: null, label: HOSTILE_SCRIPT, comment: HOSTILE_IMAGE, source: "human"}]
  };
}

export function fixtureTraces(): FixtureTrace[] {
  return [agentRun(), multiAgentChat(), failedWithoutTokens(), hostile()];
}
