/**
 * @module Turns read chat messages and tool calls into Message and ToolCall rows of one record's Fragment.
 *
 * Rules every reader shares:
 * - A message without a role is a `user` message on the input side and an `assistant` message on the output side
 *   (what the model was given, and what came back).
 * - `turn` starts at 0 and increments at each user message, so whatever precedes the first user message (a system
 *   prompt) is turn 0. Each span counts its own messages; a transcript counts the whole trace.
 * - ToolCall rows come from what a span produced (output messages, transcripts) and from tool execution spans,
 *   never from the history an LLM call was given as input, which repeats earlier calls. A call in a message is a
 *   call only when it has an id or arguments: a progress or status entry that merely names a tool is not one. Within one record, rows
 *   with the same call id are one call: a tool execution span's row wins over a message's (it knows the outcome).
 * - A call's result is the content of the `tool` message answering its id; a result that starts with the word
 *   "Error" marks the call failed, since agent frameworks report tool exceptions that way.
 * - Content parts left out of a message's text (reasoning, media, unknown types: see `chatContent.ts`) are listed
 *   by type in the attribute `message.omitted_parts` of the message's span (the trace's root span for a
 *   transcript): `[{direction, index, types}]`, never with their payload.
 */
import type {Fragment, Message, ToolCall} from "../../src/core/schemas/trace.js";
import type {ChatMessage, ChatToolCall} from "./chatContent.js";

export type Direction = Message["direction"];

/** Where the next message of a span (or transcript) goes. */
export interface Cursor {
  index: number;
  turn: number;
}

export function cursor(): Cursor {
  return {index: 0, turn: 0};
}

export interface ExecutedCall extends ChatToolCall {
  result: string | null;
  /** Null leaves success to be judged from the result. */
  success: boolean | null;
  error: string | null;
}

const ERROR_RESULT = /^\s*error\b/i;

/**
 * The tool calls a message row makes, as "name(id)" text, for telling otherwise equal messages apart. It is kept
 * on the row under a symbol, not enumerable, so the row's fields, copies and JSON are unchanged; a property is
 * read faster than a weak map, which this lookup, made several times per message, showed.
 */
const CALLS = Symbol("calls");

/** The tool calls of message row `m` as text ("" when it makes none); see `repeatedMessages.ts`. */
export function callKey(m: Message): string {
  return (m as Message & {[CALLS]?: string})[CALLS] ?? "";
}

/** The span attribute listing the content parts left out of its messages' text. */
export const OMITTED_PARTS = "message.omitted_parts";

/** Whether a tool result reads as a failure report ("Error: payment amount does not add up"). */
export function isErrorResult(text: string | null): boolean {
  return text !== null && ERROR_RESULT.test(text);
}

export class RowBuilder {
  private readonly calls = new Map<string, {row: ToolCall; executed: boolean}>();
  private readonly executed = new Set<ToolCall>();
  /** Calls whose source gave no id (their id is made up from the span and position). */
  private readonly unnamed = new Set<ToolCall>();
  private readonly results = new Map<string, string | null>();

  constructor(readonly fragment: Fragment) {}

  /** Appends messages; `collectCalls` says whether their tool calls are this span's own (see module rules). */
  messages(
    traceId: string,
    spanId: string | null,
    list: readonly ChatMessage[],
    direction: Direction,
    at: Cursor,
    collectCalls: boolean
  ): void {
    const rows = this.fragment.messages;
    for (const m of list) {
      const role = m.role ?? (direction === "output" ? "assistant" : "user");
      if (role === "user") at.turn++;
      const row: Message = {
        traceId,
        spanId,
        index: at.index++,
        direction,
        turn: at.turn,
        role,
        name: m.name,
        content: m.content,
        toolCallId: m.toolCallId
      };
      rows.push(row);
      if (m.toolCalls.length > 0) {
        Object.defineProperty(row, CALLS, {
          value: m.toolCalls.map((c) => `${c.name}(${c.id ?? c.arguments ?? ""})`).join(",")
        });
      }
      if (m.toolCallId !== null && role === "tool") {
        const key = traceId + "\u0000" + m.toolCallId;
        if (!this.results.has(key)) this.results.set(key, m.content);
      }
      if (m.omitted !== undefined && m.omitted.length > 0)
        this.recordOmitted(traceId, spanId, direction, at.index - 1, m.omitted);
      if (collectCalls)
        for (const call of m.toolCalls)
          if (call.id !== null || call.arguments !== null) this.toolCall(traceId, spanId, call, null);
    }
  }

  /** Lists the types of a message's left-out parts on its span (see the module rules). */
  private recordOmitted(
    traceId: string,
    spanId: string | null,
    direction: Direction,
    index: number,
    types: readonly string[]
  ): void {
    const spans = this.fragment.spans;
    // The span was pushed just before its messages, so the search from the end stops at once.
    for (let i = spans.length - 1; i >= 0; i--) {
      const s = spans[i]!;
      if (s.traceId !== traceId || (spanId !== null ? s.spanId !== spanId : s.parentSpanId !== null)) continue;
      const list = s.attributes[OMITTED_PARTS];
      const entry = {direction, index, types: [...types]};
      if (Array.isArray(list)) list.push(entry);
      else s.attributes[OMITTED_PARTS] = [entry];
      return;
    }
  }

  /** Records a tool call; `executed` carries the outcome when the call comes from a tool execution span. */
  toolCall(traceId: string, spanId: string | null, call: ChatToolCall, executed: ExecutedCall | null): ToolCall {
    const known = call.id !== null ? this.findCall(traceId, call.id) : undefined;
    if (known) {
      const row = known.row;
      if (executed && !known.executed) {
        row.spanId = spanId;
        known.executed = true;
        this.executed.add(row);
      }
      if (row.arguments === null) row.arguments = call.arguments;
      if (executed) this.applyOutcome(row, executed);
      return row;
    }
    // A span's calls are recorded together, so the previous row tells this call's position within its span.
    const rows = this.fragment.toolCalls;
    const last = rows.length ? rows[rows.length - 1]! : null;
    const index = last !== null && last.spanId === spanId && last.traceId === traceId ? last.index + 1 : 0;
    const row: ToolCall = {
      traceId,
      spanId,
      callId: call.id ?? `${spanId ?? traceId}#${index}`,
      index,
      name: call.name,
      arguments: call.arguments,
      result: null,
      success: null,
      error: null
    };
    if (executed) {
      this.applyOutcome(row, executed);
      this.executed.add(row);
    }
    rows.push(row);
    if (call.id === null) this.unnamed.add(row);
    const entry = {row, executed: executed !== null};
    // Call ids are keyed alone (the common case: one trace per id); an id reused by another trace of the same
    // record is keyed with its trace.
    if (this.calls.has(row.callId)) this.calls.set(traceId + "\u0000" + row.callId, entry);
    else this.calls.set(row.callId, entry);
    return row;
  }

  /**
   * The call id a tool execution should record, for sources whose executions do not reliably name the call they
   * answer: `id` when a call with that id is known; otherwise the earliest recorded call of tool `name` that no
   * execution has claimed yet — among all such calls when `id` is null, and among calls that had no id of their
   * own (Gemini's) when it is not, in which case that call takes `id`. With no match, `id` as given.
   */
  claimCall(traceId: string, name: string, id: string | null): string | null {
    if (id !== null && this.findCall(traceId, id)) return id;
    for (const row of this.fragment.toolCalls) {
      if (row.traceId !== traceId || row.name !== name || this.executed.has(row)) continue;
      if (id === null) return row.callId;
      if (!this.unnamed.has(row)) continue;
      this.calls.delete(row.callId);
      row.callId = id;
      this.calls.set(id, {row, executed: false});
      this.unnamed.delete(row);
      return id;
    }
    return id;
  }

  private findCall(traceId: string, id: string): {row: ToolCall; executed: boolean} | undefined {
    const found = this.calls.get(id);
    if (found === undefined || found.row.traceId === traceId) return found;
    return this.calls.get(traceId + "\u0000" + id);
  }

  private applyOutcome(row: ToolCall, outcome: ExecutedCall): void {
    if (outcome.result !== null) row.result = outcome.result;
    if (outcome.success !== null) row.success = outcome.success;
    if (outcome.error !== null) row.error = outcome.error;
  }

  /** Fills results from `tool` messages and judges success where no span said; returns the fragment. */
  finish(): Fragment {
    for (const row of this.fragment.toolCalls) {
      if (row.result === null) {
        const result = this.results.get(row.traceId + "\u0000" + row.callId);
        if (result !== undefined) row.result = result;
        else if (row.success === null) continue;
      }
      if (row.success === null) row.success = !isErrorResult(row.result);
      if (row.success === false && row.error === null && isErrorResult(row.result)) row.error = row.result;
    }
    return this.fragment;
  }
}
