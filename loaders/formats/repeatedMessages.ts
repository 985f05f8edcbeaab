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
  traceId: string;
  order: number;
  start: number;
  llm: boolean;
  /** Positions in the fragment's messages. */
  inputs: number[];
  outputs: number[];
}

/** Removes repeated messages from `fragment` (see the module rules); returns how many it removed. */
export function dropRepeatedMessages(fragment: Fragment): number {
  const messages = fragment.messages;
  if (messages.length < 2) return 0;
  // Span ids are unique within a record but for rare collisions across traces: a span of another trace with the
  // same id gets a key of its own.
  const spans = new Map<string, SpanGroup>();
  // A span's messages come one after another: the last group is checked before the map.
  let last: SpanGroup | undefined;
  let lastSpanId: string | null = null;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.spanId === null || m.direction === "transcript") continue;
    if (m.spanId === lastSpanId && last!.traceId === m.traceId) {
      (m.direction === "input" ? last!.inputs : last!.outputs).push(i);
      continue;
    }
    let group = findGroup(spans, m.traceId, m.spanId);
    if (group === undefined) {
      group = {traceId: m.traceId, order: spans.size, start: Infinity, llm: false, inputs: [], outputs: []};
      spans.set(spans.has(m.spanId) ? collisionKey(m.traceId, m.spanId) : m.spanId, group);
    }
    (m.direction === "input" ? group.inputs : group.outputs).push(i);
    last = group;
    lastSpanId = m.spanId;
  }
  for (const s of fragment.spans) {
    const group = findGroup(spans, s.traceId, s.spanId);
    if (group !== undefined) {
      group.start = s.startTime ?? Infinity;
      group.llm = s.kind === "llm";
    }
  }
  const traces = new Map<string, SpanGroup[]>();
  for (const group of spans.values()) {
    const list = traces.get(group.traceId);
    if (list === undefined) traces.set(group.traceId, [group]);
    else list.push(group);
  }
  const dropped = new Uint8Array(messages.length);
  let count = 0;
  for (const groups of traces.values()) {
    if (groups.length === 1) {
      // One span repeats nothing unless it restates its own inputs in its outputs (a chain span).
      const only = groups[0]!;
      if (only.inputs.length === 0 || only.outputs.length === 0 || only.llm) continue;
    }
    groups.sort(byStart);
    const kept = new KeptMessages(messages);
    for (const g of groups) {
      sortByIndex(g.inputs, messages);
      sortByIndex(g.outputs, messages);
      const prefix = kept.list.length;
      if (g.llm && startsWithKept(g.inputs, kept.list, messages)) {
        // The common case, settled without counting: a model call is given the conversation kept so far, in
        // order, and adds to it. Its count then equals the trace's after that prefix, so by the rule every
        // message after the prefix, its outputs included, is one more than the trace has: all are kept.
        for (let k = 0; k < prefix; k++) dropped[g.inputs[k]!] = 1;
        count += prefix;
        for (let k = prefix; k < g.inputs.length; k++) kept.keep(g.inputs[k]!);
        for (const i of g.outputs) kept.keep(i);
        continue;
      }
      const n = g.inputs.length + g.outputs.length;
      if (n * (n + prefix) <= SCAN_LIMIT) {
        // A short span in a short trace: comparing messages one by one costs less than hashing them.
        for (let p = 0; p < g.inputs.length; p++) {
          const i = g.inputs[p]!;
          if (1 + countSame(messages, g.inputs, p, messages[i]!) > kept.scan(messages[i]!)) kept.keep(i);
          else ((dropped[i] = 1), count++);
        }
        for (let p = 0; p < g.outputs.length; p++) {
          const i = g.outputs[p]!;
          const m = messages[i]!;
          const here =
            1 + countSame(messages, g.outputs, p, m) + (g.llm ? countSame(messages, g.inputs, g.inputs.length, m) : 0);
          if (here > kept.scan(m)) kept.keep(i);
          else ((dropped[i] = 1), count++);
        }
        continue;
      }
      const counts = kept.counts();
      const here = new Counts();
      for (const list of [g.inputs, g.outputs]) {
        const spanCounts = list === g.inputs || g.llm ? here : new Counts();
        for (const i of list) {
          const m = messages[i]!;
          const hash = hashOf(m);
          if (spanCounts.add(hash, m) > counts.count(hash, m)) kept.keep(i);
          else ((dropped[i] = 1), count++);
        }
      }
    }
  }
  if (count === 0) return 0;
  fragment.messages = messages.filter((_, i) => dropped[i] === 0);
  return count;
}

/**
 * The messages a trace keeps, in the order kept; their counts by identity are made only when a span needs them
 * (one that does not simply extend the conversation kept so far), since making them means hashing each one.
 */
class KeptMessages {
  readonly list: Message[] = [];
  private counted: Counts | null = null;

  constructor(private readonly messages: Message[]) {}

  keep(i: number): void {
    const m = this.messages[i]!;
    this.list.push(m);
    if (this.counted !== null) this.counted.add(hashOf(m), m);
  }

  /** How many kept messages are `m`, counted by comparing. */
  scan(m: Message): number {
    let n = 0;
    for (const k of this.list) if (sameMessage(k, m)) n++;
    return n;
  }

  counts(): Counts {
    if (this.counted === null) {
      this.counted = new Counts();
      for (const m of this.list) this.counted.add(hashOf(m), m);
    }
    return this.counted;
  }
}

/** Above this many comparisons (a span's messages times those and the trace's kept ones), messages are hashed. */
const SCAN_LIMIT = 256;

/** How many of the first `end` messages of `list` are `m`. */
function countSame(messages: Message[], list: number[], end: number, m: Message): number {
  let n = 0;
  for (let q = 0; q < end; q++) if (sameMessage(messages[list[q]!]!, m)) n++;
  return n;
}

/** Whether the span's inputs begin with every message kept so far, in order. */
function startsWithKept(inputs: number[], list: Message[], messages: Message[]): boolean {
  if (inputs.length < list.length) return false;
  for (let k = 0; k < list.length; k++) if (!sameMessage(messages[inputs[k]!]!, list[k]!)) return false;
  return true;
}

/** A span's group: by its id, or, when another trace's span has that id, by trace and id. */
function findGroup(spans: Map<string, SpanGroup>, traceId: string, spanId: string): SpanGroup | undefined {
  const group = spans.get(spanId);
  return group === undefined || group.traceId === traceId ? group : spans.get(collisionKey(traceId, spanId));
}

const collisionKey = (traceId: string, spanId: string) => traceId + "\u0000" + spanId;

function byStart(a: SpanGroup, b: SpanGroup): number {
  return (a.llm ? 0 : 1) - (b.llm ? 0 : 1) || a.start - b.start || a.order - b.order;
}

/** Puts a span's messages in their order within the span (they almost always come in it already). */
function sortByIndex(list: number[], messages: Message[]): void {
  for (let k = 1; k < list.length; k++) {
    if (messages[list[k]!]!.index < messages[list[k - 1]!]!.index) {
      list.sort((a, b) => messages[a]!.index - messages[b]!.index);
      return;
    }
  }
}

interface Entry {
  /** The first message seen with this identity: the others are compared with it. */
  message: Message;
  n: number;
}

/**
 * Copies of each message, by identity. Contents can be long (a system prompt, a pasted document), and hashing
 * every one whole, or cutting strings to key a map, cost more than the rest of the pass: the map key is a number
 * made from the role, a few characters spread over the content and the ids, and the few messages that share a
 * key are told apart by comparing them whole.
 */
class Counts {
  private readonly map = new Map<number, Entry | Entry[]>();

  count(hash: number, m: Message): number {
    const found = this.map.get(hash);
    if (found === undefined) return 0;
    if (!Array.isArray(found)) return sameMessage(found.message, m) ? found.n : 0;
    for (const e of found) if (sameMessage(e.message, m)) return e.n;
    return 0;
  }

  /** Adds a copy of `m` and returns how many there are now. */
  add(hash: number, m: Message): number {
    const found = this.map.get(hash);
    if (found === undefined) {
      this.map.set(hash, {message: m, n: 1});
      return 1;
    }
    if (!Array.isArray(found)) {
      if (sameMessage(found.message, m)) return ++found.n;
      this.map.set(hash, [found, {message: m, n: 1}]);
      return 1;
    }
    for (const e of found) if (sameMessage(e.message, m)) return ++e.n;
    found.push({message: m, n: 1});
    return 1;
  }
}

/** Same role, content (no content and "" alike), tool call id and tool calls. */
function sameMessage(a: Message, b: Message): boolean {
  return (
    a.role === b.role &&
    (a.toolCallId ?? "") === (b.toolCallId ?? "") &&
    sameContent(a.content, b.content) &&
    callKey(a) === callKey(b)
  );
}

function sameContent(a: string | null, b: string | null): boolean {
  return a === b || ((a === null || a === "") && (b === null || b === ""));
}

/** At most this many characters of a content are read for its key: the ends and points spread between them. */
const SAMPLED = 24;

function hashOf(m: Message): number {
  let h = mix(0x811c9dc5, m.role.length);
  h = mix(h, m.role.charCodeAt(0));
  const c = m.content;
  if (c !== null && c !== "") h = sample(h, c);
  const id = m.toolCallId;
  if (id !== null && id !== "") h = sample(h, id);
  const calls = callKey(m);
  if (calls !== "") h = sample(h, calls);
  return h;
}

function sample(h: number, text: string): number {
  const n = text.length;
  h = mix(h, n);
  if (n <= SAMPLED) {
    for (let i = 0; i < n; i++) h = mix(h, text.charCodeAt(i));
  } else {
    const step = n / SAMPLED;
    for (let i = 0; i < SAMPLED - 1; i++) h = mix(h, text.charCodeAt((i * step) | 0));
    h = mix(h, text.charCodeAt(n - 1));
  }
  return h;
}

function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 16777619) | 0;
}
