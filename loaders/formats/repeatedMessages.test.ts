import assert from "node:assert/strict";
import {test} from "node:test";
import fc from "fast-check";
import type {Fragment, Message, Span} from "../../src/core/schemas/trace.js";
import {dropRepeatedMessages} from "./repeatedMessages.js";

/**
 * The module's rule, written the plain way: every message counted by a text key in a map. The module takes
 * shortcuts (a span that extends the kept conversation, comparing short spans one by one, hashing long ones),
 * and each must give exactly this answer.
 */
function reference(fragment: Fragment): Set<Message> {
  const dropped = new Set<Message>();
  const key = (m: Message) => JSON.stringify([m.role, m.content || "", m.toolCallId || ""]);
  const spans = new Map(fragment.spans.map((s, order) => [s.traceId + "/" + s.spanId, {s, order}]));
  const traces = new Map<
    string,
    {llm: boolean; start: number; order: number; inputs: Message[]; outputs: Message[]}[]
  >();
  const groups = new Map<string, {llm: boolean; start: number; order: number; inputs: Message[]; outputs: Message[]}>();
  for (const m of fragment.messages) {
    if (m.spanId === null || m.direction === "transcript") continue;
    const id = m.traceId + "/" + m.spanId;
    let g = groups.get(id);
    if (g === undefined) {
      const span = spans.get(id)?.s;
      g = {llm: span?.kind === "llm", start: span?.startTime ?? Infinity, order: groups.size, inputs: [], outputs: []};
      groups.set(id, g);
      traces.set(m.traceId, [...(traces.get(m.traceId) ?? []), g]);
    }
    (m.direction === "input" ? g.inputs : g.outputs).push(m);
  }
  for (const list of traces.values()) {
    list.sort((a, b) => (a.llm ? 0 : 1) - (b.llm ? 0 : 1) || a.start - b.start || a.order - b.order);
    const kept = new Map<string, number>();
    for (const g of list) {
      const here = new Map<string, number>();
      for (const [messages, counts] of [
        [g.inputs, here],
        [g.outputs, g.llm ? here : new Map<string, number>()]
      ] as const) {
        for (const m of [...messages].sort((a, b) => a.index - b.index)) {
          const k = key(m);
          counts.set(k, (counts.get(k) ?? 0) + 1);
          if (counts.get(k)! > (kept.get(k) ?? 0)) kept.set(k, (kept.get(k) ?? 0) + 1);
          else dropped.add(m);
        }
      }
    }
  }
  return dropped;
}

const span = (traceId: string, spanId: string, kind: Span["kind"], start: number | null): Span => ({
  traceId,
  spanId,
  parentSpanId: null,
  name: spanId,
  kind,
  startTime: start,
  endTime: null,
  status: "unset",
  statusMessage: null,
  model: null,
  inputTokens: null,
  outputTokens: null,
  costUsd: null,
  attributes: {}
});

// A few contents, so repeats are common; a long one, and "" and null, which count as the same message.
const contents = ["yes", "no", "", null, "x".repeat(300), "x".repeat(150) + "y" + "x".repeat(149)];

const spanArb = fc.record({
  trace: fc.constantFrom("t1", "t2"),
  kind: fc.constantFrom<Span["kind"]>("llm", "llm", "chain", "agent"),
  start: fc.option(fc.integer({min: 0, max: 5}), {nil: null}),
  // A conversation that grows from span to span, as model calls send it, sometimes with something new.
  history: fc.integer({min: 0, max: 24}),
  extra: fc.array(
    fc.record({
      role: fc.constantFrom("user", "assistant", "tool"),
      content: fc.constantFrom(...contents),
      toolCallId: fc.constantFrom(null, "", "c1")
    }),
    {maxLength: 4}
  ),
  outputs: fc.array(
    fc.record({
      role: fc.constantFrom("assistant", "user"),
      content: fc.constantFrom(...contents),
      toolCallId: fc.constantFrom(null, "c1")
    }),
    {maxLength: 3}
  ),
  shuffled: fc.boolean()
});

test("repeated-message removal drops exactly what the plain rule drops, for any mix of spans and conversations", () => {
  const conversation = Array.from({length: 24}, (_, i) => ({
    role: i % 2 ? "assistant" : "user",
    content: contents[i % contents.length]!,
    toolCallId: null
  }));
  fc.assert(
    fc.property(fc.array(spanArb, {minLength: 1, maxLength: 8}), (specs) => {
      const fragment: Fragment = {traces: [], spans: [], messages: [], toolCalls: [], feedback: []};
      specs.forEach((s, n) => {
        // Every third span shares its id with the others so (within a trace, and across the two traces).
        const spanId = n % 3 === 2 ? "dup" : "s" + n;
        fragment.spans.push(span(s.trace, spanId, s.kind, s.start));
        const inputs = [...conversation.slice(0, s.history), ...s.extra];
        const rows = [
          ...inputs.map((m, index) => ({...m, index, direction: "input" as const})),
          ...s.outputs.map((m, k) => ({...m, index: inputs.length + k, direction: "output" as const}))
        ];
        if (s.shuffled) rows.reverse();
        for (const r of rows) fragment.messages.push({traceId: s.trace, spanId, turn: 0, name: null, ...r});
      });
      const expected = reference(fragment);
      const before = fragment.messages;
      const n = dropRepeatedMessages(fragment);
      assert.equal(n, expected.size);
      assert.deepEqual(
        fragment.messages,
        before.filter((m) => !expected.has(m))
      );
    }),
    {numRuns: 300}
  );
});
