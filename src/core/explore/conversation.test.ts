import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {conversation, type ConversationMessage} from "./conversation.js";

const m = (
  fields: Partial<ConversationMessage> & Pick<ConversationMessage, "role" | "content">
): ConversationMessage => ({
  spanId: null,
  index: 0,
  direction: "transcript",
  turn: 0,
  name: null,
  toolCallId: null,
  ...fields
});
const text = (entries: ReturnType<typeof conversation>) =>
  entries.map((e) =>
    e.kind === "message"
      ? `${e.message.role}:${e.message.content}`
      : `call:${e.call.callId}:${e.result?.content ?? "-"}`
  );

describe("conversation(messages, toolCalls, spans)", () => {
  it("orders a transcript by turn and index", () => {
    const entries = conversation(
      [
        m({role: "assistant", content: "hi", turn: 0, index: 1}),
        m({role: "user", content: "again", turn: 1, index: 2}),
        m({role: "user", content: "hello", turn: 0, index: 0})
      ],
      [],
      []
    );
    assert.deepEqual(text(entries), ["user:hello", "assistant:hi", "user:again"]);
  });

  it("shows a chain span's restated conversation only where it says something new, and an LLM call's output whole", () => {
    const spans = [
      {spanId: "chain", startTime: 0, kind: "chain"},
      {spanId: "llm", startTime: 5, kind: "llm"},
      {spanId: "later", startTime: 20, kind: "llm"}
    ];
    const entries = conversation(
      [
        m({spanId: "llm", direction: "input", role: "user", content: "hi", index: 0}),
        m({spanId: "llm", direction: "output", role: "assistant", content: "hello", index: 1}),
        // The chain, read in another record, ends after the call and restates the exchange plus a closing note.
        m({spanId: "chain", direction: "input", role: "user", content: "hi", index: 0}),
        m({spanId: "chain", direction: "output", role: "user", content: "hi", index: 1}),
        m({spanId: "chain", direction: "output", role: "assistant", content: "hello", index: 2}),
        m({spanId: "later", direction: "input", role: "user", content: "hi", index: 0}),
        m({spanId: "later", direction: "input", role: "assistant", content: "hello", index: 1}),
        m({spanId: "later", direction: "output", role: "assistant", content: "hello", index: 2})
      ],
      [],
      spans
    );
    assert.deepEqual(text(entries), ["user:hi", "assistant:hello", "assistant:hello"]);
  });

  it("drops history repeated in later model calls but keeps a message really said twice", () => {
    const spans = [
      {spanId: "a", startTime: 0},
      {spanId: "b", startTime: 10}
    ];
    const entries = conversation(
      [
        m({spanId: "a", direction: "input", role: "user", content: "yes", index: 0}),
        m({spanId: "a", direction: "output", role: "assistant", content: "sure?", index: 1}),
        m({spanId: "b", direction: "input", role: "user", content: "yes", index: 0}),
        m({spanId: "b", direction: "input", role: "assistant", content: "sure?", index: 1}),
        m({spanId: "b", direction: "input", role: "user", content: "yes", index: 2}),
        m({spanId: "b", direction: "output", role: "assistant", content: "done", index: 3})
      ],
      [],
      spans
    );
    assert.deepEqual(text(entries), ["user:yes", "assistant:sure?", "user:yes", "assistant:done"]);
  });

  it("shows a tool call at its result message, and an unanswered one after the last entry of its span", () => {
    const spans = [
      {spanId: "a", startTime: 0},
      {spanId: "t", startTime: 5},
      {spanId: "b", startTime: 10}
    ];
    const entries = conversation(
      [
        m({spanId: "a", direction: "output", role: "assistant", content: "calling", index: 0}),
        m({spanId: "b", direction: "input", role: "tool", content: "42", toolCallId: "c1", index: 0}),
        m({spanId: "b", direction: "output", role: "assistant", content: "it is 42", index: 1})
      ],
      [
        {spanId: "t", callId: "c1", index: 0},
        {spanId: "t", callId: "c2", index: 1}
      ],
      spans
    );
    assert.deepEqual(text(entries), ["assistant:calling", "call:c1:42", "call:c2:-", "assistant:it is 42"]);
  });
});
