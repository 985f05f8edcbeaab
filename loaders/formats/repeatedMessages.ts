/**
 * @module Drops the messages a record repeats within one trace, so the store holds each message of a conversation
 * once: the conversation view, the trace's message count, judges and clusters all see it once.
 *
 * Span-based sources repeat the conversation: every LLM call is given the whole history as input, and chain
 * frameworks (LangChain, LangGraph) log the whole conversation state as the input and output of every chain
 * span, so a four-message exchange arrives as dozens of message rows. The rule, per trace of the record:
 * - LLM spans come first, in start order (then record order), then the other spans in the same order: model
 *   calls record the conversation as it happened, while chain and agent spans restate it, so each message is
 *   kept on the call that first had it;
 * - a message is identified by role, content (no content and "" alike), tool call id and the tool calls it makes;
 * - a span's inputs are counted by identity, and one is kept only when this span holds more copies of it than
 *   the trace has kept so far, so a user who really says "yes" twice still says it twice;
 * - an LLM span's outputs are what the model added after its inputs, so they are counted on with the inputs and
 *   a repeated answer is kept; any other span's outputs restate the conversation (a chain's state, an agent's
 *   final answer), so they are counted on their own and only what no span has shown yet is kept.
 * Transcripts (messages without a span) are already told once and are left as they are.
 *
 * This runs on each record's fragment before it is staged, in JavaScript over rows already in memory, so the
 * store merge does no extra work. A trace whose spans arrive in several records is de-duplicated within each
 * record only; the conversation view still shows its inputs once (see `src/core/explore/conversation.ts`).
 */
import type {Fragment, Message} from "../../src/core/schemas/trace.js";
import {callKey} from "./rows.js";

interface SpanGroup {
  spanId: string;
  order: number;
  start: number;
  llm: boolean;
  inputs: Message[];
  outputs: Message[];
}

/** Removes repeated messages from `fragment` (see the module rules); returns how many it removed. */
export function dropRepeatedMessages(fragment: Fragment): number {
  const messages = fragment.messages;
  if (messages.length < 2) return 0;
  const traces = new Map<string, Map<string, SpanGroup>>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.spanId === null || m.direction === "transcript") continue;
    let spans = traces.get(m.traceId);
    if (spans === undefined) traces.set(m.traceId, (spans = new Map()));
    let group = spans.get(m.spanId);
    if (group === undefined) {
      group = {spanId: m.spanId, order: spans.size, start: Infinity, llm: false, inputs: [], outputs: []};
      spans.set(m.spanId, group);
    }
    (m.direction === "input" ? group.inputs : group.outputs).push(m);
  }
  // Span ids are unique within a record but for rare collisions across traces, which the trace check settles.
  for (const s of fragment.spans) {
    const group = traces.get(s.traceId)?.get(s.spanId);
    if (group !== undefined) {
      group.start = s.startTime ?? Infinity;
      group.llm = s.kind === "llm";
    }
  }
  let dropped: Set<Message> | null = null;
  for (const spans of traces.values()) {
    if (spans.size === 1) {
      // One span repeats nothing unless it restates its own inputs in its outputs (a chain span).
      const only = spans.values().next().value!;
      if (only.inputs.length === 0 || only.outputs.length === 0 || only.llm) continue;
    }
    const groups = [...spans.values()];
    groups.sort(byStart);
    const kept = new Counts();
    for (const g of groups) {
      const here = new Counts();
      dropped = keepNew(g.inputs, here, kept, dropped);
      dropped = keepNew(g.outputs, g.llm ? here : new Counts(), kept, dropped);
    }
  }
  if (dropped === null) return 0;
  const gone = dropped;
  fragment.messages = messages.filter((m) => !gone.has(m));
  return gone.size;
}

function byStart(a: SpanGroup, b: SpanGroup): number {
  return (a.llm ? 0 : 1) - (b.llm ? 0 : 1) || a.start - b.start || a.order - b.order;
}

/** Keeps each message of `list` that `here` (this span's count) holds more copies of than `kept` (the trace's). */
function keepNew(list: Message[], here: Counts, kept: Counts, dropped: Set<Message> | null): Set<Message> | null {
  let last = -1;
  for (const m of list) {
    if (m.index < last) {
      list.sort((a, b) => a.index - b.index);
      break;
    }
    last = m.index;
  }
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    const key = shortKey(m);
    const n = here.add(key, m.content, 1);
    if (n > kept.count(key, m.content)) kept.add(key, m.content, 1);
    else (dropped ??= new Set()).add(m);
  }
  return dropped;
}

/**
 * Copies of each message, by identity. Contents can be long (a system prompt, a pasted document), and hashing
 * every one whole cost more than the rest of the pass: the map key holds a long content's length and ends only,
 * and the few contents that share a key are told apart by comparing them.
 */
class Counts {
  private readonly map = new Map<string, {content: string | null; n: number}[]>();

  count(key: string, content: string | null): number {
    const bucket = this.map.get(key);
    if (bucket === undefined) return 0;
    for (const e of bucket) if (same(e.content, content)) return e.n;
    return 0;
  }

  /** Adds `k` copies and returns how many there are now. */
  add(key: string, content: string | null, k: number): number {
    const bucket = this.map.get(key);
    if (bucket === undefined) {
      this.map.set(key, [{content, n: k}]);
      return k;
    }
    for (const e of bucket) if (same(e.content, content)) return (e.n += k);
    bucket.push({content, n: k});
    return k;
  }
}

const LONG = 64;

function same(a: string | null, b: string | null): boolean {
  return a === b || ((a === null || a === "") && (b === null || b === ""));
}

function shortKey(m: Message): string {
  const c = m.content;
  const text = c === null || c === "" ? "\u0001" : c.length <= LONG ? c : c.length + "\u0002" + c.slice(0, 24) + c.slice(-24);
  return m.role + "\u0000" + (m.toolCallId ?? "") + "\u0000" + callKey(m) + "\u0000" + text;
}
