/**
 * @module A trace's messages and tool calls as one conversation, in the order they happened, without repeats.
 *
 * Transcript formats give each message once. Span-based formats (OpenTelemetry GenAI, OpenInference) give each
 * model call its whole input, so the history is repeated in every later call. Spans are read in start order and
 * only the part of each input not yet shown is kept, counting duplicates, so a user who really says "yes" twice
 * still says it twice. Chain and agent spans (LangChain, LangGraph) restate the conversation in their outputs too:
 * a span's outputs are shown whole when it is an LLM call (what the model added), and otherwise only as far as
 * they say something not yet shown; such spans come after the model calls, which record what was said. The store already keeps each message of a trace once per input record
 * (`loaders/formats/repeatedMessages.ts`); this covers traces whose spans came in several records. A tool call is shown where its result message is, or, with no result message, after the
 * last message of its span (or of the latest span that started before it).
 */

export interface ConversationMessage {
  spanId: string | null;
  index: number;
  direction: "input" | "output" | "transcript";
  turn: number;
  role: string;
  name: string | null;
  content: string | null;
  toolCallId: string | null;
}

export interface ConversationToolCall {
  spanId: string | null;
  callId: string;
  index: number;
}

export interface TimedSpan {
  spanId: string;
  startTime: number | null;
  /** The span's kind; outputs of spans that are not LLM calls are shown only where they are new. */
  kind?: string;
}

export type ConversationEntry<M extends ConversationMessage, T extends ConversationToolCall> =
  {kind: "message"; message: M} | {kind: "tool"; call: T; result: M | null};

const key = (m: ConversationMessage) => JSON.stringify([m.role, m.name, m.content, m.toolCallId]);

export function conversation<M extends ConversationMessage, T extends ConversationToolCall>(
  messages: readonly M[],
  toolCalls: readonly T[],
  spans: readonly TimedSpan[]
): ConversationEntry<M, T>[] {
  const spanStart = new Map<string, number | null>();
  const restating = new Set<string>();
  for (const span of spans) {
    spanStart.set(span.spanId, span.startTime);
    if (span.kind !== undefined && span.kind !== "llm") restating.add(span.spanId);
  }
  const startOf = (spanId: string | null) => (spanId === null ? null : (spanStart.get(spanId) ?? null));

  const ordered: M[] = [];
  const shown = new Map<string, number>();
  const show = (m: M) => {
    ordered.push(m);
    shown.set(key(m), (shown.get(key(m)) ?? 0) + 1);
  };

  const transcript = messages.filter((m) => m.direction === "transcript" || m.spanId === null);
  transcript.sort((a, b) => a.turn - b.turn || a.index - b.index);
  for (const m of transcript) show(m);

  const bySpan = new Map<string, M[]>();
  for (const m of messages) {
    if (m.direction === "transcript" || m.spanId === null) continue;
    let list = bySpan.get(m.spanId);
    if (!list) bySpan.set(m.spanId, (list = []));
    list.push(m);
  }
  // Model calls first, then the spans that restate the conversation, so each message is shown where it was said.
  const rank = (spanId: string) => (restating.has(spanId) ? 1 : 0);
  const spanOrder = [...bySpan.keys()].sort(
    (a, b) => rank(a) - rank(b) || (startOf(a) ?? Infinity) - (startOf(b) ?? Infinity)
  );
  for (const spanId of spanOrder) {
    const list = bySpan.get(spanId)!.sort((a, b) => a.index - b.index);
    const inputs = list.filter((m) => m.direction === "input");
    const seenHere = new Map<string, number>();
    for (const m of inputs) {
      const k = key(m);
      const n = (seenHere.get(k) ?? 0) + 1;
      seenHere.set(k, n);
      if (n > (shown.get(k) ?? 0)) show(m);
    }
    const outputs = list.filter((m) => m.direction === "output");
    if (!restating.has(spanId)) for (const m of outputs) show(m);
    else {
      const said = new Map<string, number>();
      for (const m of outputs) {
        const k = key(m);
        const n = (said.get(k) ?? 0) + 1;
        said.set(k, n);
        if (n > (shown.get(k) ?? 0)) show(m);
      }
    }
  }

  const calls = new Map<string, T>();
  for (const call of [...toolCalls].sort((a, b) => a.index - b.index))
    if (!calls.has(call.callId)) calls.set(call.callId, call);
  const entries: ConversationEntry<M, T>[] = [];
  const placed = new Set<string>();
  for (const message of ordered) {
    const call = message.toolCallId !== null ? calls.get(message.toolCallId) : undefined;
    if (call && message.role === "tool" && !placed.has(call.callId)) {
      placed.add(call.callId);
      entries.push({kind: "tool", call, result: message});
    } else {
      entries.push({kind: "message", message});
    }
  }

  for (const call of calls.values()) {
    if (placed.has(call.callId)) continue;
    entries.splice(insertionPoint(entries, call, startOf), 0, {kind: "tool", call, result: null});
  }
  return entries;
}

function insertionPoint<M extends ConversationMessage, T extends ConversationToolCall>(
  entries: ConversationEntry<M, T>[],
  call: T,
  startOf: (spanId: string | null) => number | null
): number {
  const spanOf = (e: ConversationEntry<M, T>) => (e.kind === "message" ? e.message.spanId : e.call.spanId);
  for (let i = entries.length - 1; i >= 0; --i)
    if (call.spanId !== null && spanOf(entries[i]!) === call.spanId) return i + 1;
  const start = startOf(call.spanId);
  if (start !== null) {
    for (let i = entries.length - 1; i >= 0; --i) {
      const s = startOf(spanOf(entries[i]!));
      if (s !== null && s <= start) return i + 1;
    }
    if (entries.length && entries.every((e) => startOf(spanOf(e)) !== null)) return 0;
  }
  return entries.length;
}
