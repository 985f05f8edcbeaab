/**
 * @module Traces for clustering tests: a refund tool that fails the same way in many sessions over several days,
 * a knowledge-base search that returns nothing, a planner step that fails on its own, and traces that went well.
 */
import {span, traceInfo, type Message, type ToolCall} from "../../src/core/schemas/trace.js";
import type {FixtureTrace} from "../fixtures/fixtureWorkspace.js";

export const DAY = 86_400_000;
/** The fixture's last day; tests judge trends as of this time. */
export const FIXTURE_NOW = Date.UTC(2026, 1, 10, 12);

function message(traceId: string, index: number, role: Message["role"], content: string, turn = 0): Message {
  return {traceId, spanId: null, index, direction: "transcript", turn, role, name: null, content, toolCallId: null};
}

function refundFailure(i: number): FixtureTrace {
  const id = `refund-${i}`;
  const start = FIXTURE_NOW - (i % 3) * DAY - i * 60_000;
  const call: ToolCall = {
    traceId: id,
    spanId: "tool",
    callId: `call-${i}`,
    index: 0,
    name: "issue_refund",
    arguments: `{"order": ${1000 + i}}`,
    result: null,
    success: false,
    error: `RefundError: order ${1000 + i} not found in ledger`
  };
  return {
    format: "otlp",
    info: traceInfo(id, {
      name: "support",
      sessionId: `session-${i % 4}`,
      startTime: start,
      endTime: start + 2000,
      status: "error"
    }),
    spans: [
      span(id, "root", {
        name: "support agent",
        kind: "agent",
        startTime: start,
        endTime: start + 2000,
        status: "error"
      }),
      span(id, "tool", {
        parentSpanId: "root",
        name: "issue_refund",
        kind: "tool",
        startTime: start + 500,
        endTime: start + 900,
        status: "error",
        statusMessage: call.error
      })
    ],
    messages: [
      message(id, 0, "user", `My parcel shipping is delayed by ${i + 2} days, I want a refund for the shipping delay.`),
      message(id, 1, "assistant", "Let me issue that refund.")
    ],
    toolCalls: [call],
    feedback:
      i % 2 === 0
        ? [{traceId: id, spanId: null, name: "thumbs", value: 0, label: "down", comment: null, source: "user"}]
        : []
  };
}

function retrievalMiss(i: number): FixtureTrace {
  const id = `kb-miss-${i}`;
  const start = FIXTURE_NOW - 20 * DAY - i * 3_600_000;
  return {
    format: "openinference",
    info: traceInfo(id, {name: "kb answer", startTime: start, endTime: start + 800, status: "ok"}),
    spans: [
      span(id, "root", {name: "rag", kind: "chain", startTime: start, endTime: start + 800, status: "ok"}),
      span(id, "search", {
        parentSpanId: "root",
        name: "kb_search",
        kind: "retriever",
        startTime: start + 10,
        endTime: start + 200,
        status: "ok",
        attributes: {"retrieval.documents": []}
      })
    ],
    messages: [message(id, 0, "user", `How do I reset the warranty registration of device model ${i}?`)],
    toolCalls: [],
    feedback: []
  };
}

function plannerFailure(): FixtureTrace {
  const id = "planner-crash";
  const start = FIXTURE_NOW - 2 * DAY;
  return {
    format: "otlp",
    info: traceInfo(id, {name: "planner", startTime: start, endTime: start + 100, status: "error"}),
    spans: [
      span(id, "root", {name: "workflow", kind: "chain", startTime: start, endTime: start + 100, status: "error"}),
      span(id, "plan", {
        parentSpanId: "root",
        name: "plan",
        kind: "chain",
        startTime: start + 1,
        endTime: start + 50,
        status: "error",
        statusMessage: "ValueError: could not parse plan step 3"
      })
    ],
    messages: [message(id, 0, "user", "Plan my trip to Lisbon with three museum visits.")],
    toolCalls: [],
    feedback: []
  };
}

function success(i: number): FixtureTrace {
  const id = `ok-${i}`;
  const start = FIXTURE_NOW - i * DAY;
  return {
    format: "otlp",
    info: traceInfo(id, {name: "support", startTime: start, endTime: start + 500, status: "ok"}),
    spans: [
      span(id, "root", {name: "support agent", kind: "agent", startTime: start, endTime: start + 500, status: "ok"})
    ],
    messages: [message(id, 0, "user", "What are your opening hours?")],
    toolCalls: [],
    feedback: [{traceId: id, spanId: null, name: "thumbs", value: 1, label: "up", comment: null, source: "user"}]
  };
}

export function clusterFixtureTraces(): FixtureTrace[] {
  return [
    ...Array.from({length: 12}, (_, i) => refundFailure(i)),
    ...Array.from({length: 6}, (_, i) => retrievalMiss(i)),
    plannerFailure(),
    ...Array.from({length: 3}, (_, i) => success(i))
  ];
}
