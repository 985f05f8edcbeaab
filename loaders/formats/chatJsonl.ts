/**
 * @module Chat transcripts as JSON Lines: each line is `{messages: [...], id?, trace_id?, session_id?, user_id?,
 * model?, name?, tags?, metadata?, feedback?, thumbs?}` or a bare array of OpenAI-style messages. One trace per
 * line; its id is `id` / `trace_id`, else the FNV-1a 64 hash of the line's text, so the same line ingested twice
 * is the same trace.
 *
 * `readTranscript` is the shared conversion of a chat transcript into rows, used by the τ-bench and Who&When
 * readers too: a root span (kind "agent", id "root") for the run, one span (kind "tool", id "tool:<call id>") per
 * tool call, holding the ToolCall row (index 0: the only call of its span), and the messages in order with
 * direction "transcript" (span id null, index = position in the transcript). A tool call fails when its result starts with "Error"; the root span and
 * the trace are then "error", otherwise "ok" — quality labels are feedback, not status.
 */
import {
  emptyFragment,
  span,
  traceInfo,
  type Feedback,
  type Fragment,
  type Span,
  type ToolCall,
  type TraceInfo
} from "../../src/core/schemas/trace.js";
import type {ChatMessage} from "./chatContent.js";
import {extractChat} from "./chatMessages.js";
import {fnv1a64} from "./hash.js";
import {RecordError, type FormatReader, type RecordContext} from "./reader.js";
import {cursor, isErrorResult, RowBuilder} from "./rows.js";
import {isRecord, num, str, type JsonRecord} from "./values.js";

export interface TranscriptOptions {
  rootName: string;
  model?: string | null;
  /** The status when no tool call failed: "ok" where tool results were seen, "unset" where a source has none. */
  cleanStatus?: "ok" | "unset";
}

export interface TranscriptSummary {
  toolCalls: number;
  failedToolCalls: number;
  status: "ok" | "error" | "unset";
}

/** Adds a transcript's spans, messages and tool calls to `builder`'s fragment (see the module header). */
export function readTranscript(
  builder: RowBuilder,
  traceId: string,
  messages: readonly ChatMessage[],
  options: TranscriptOptions
): TranscriptSummary {
  const fragment = builder.fragment;
  const root = span(traceId, "root", {
    name: options.rootName,
    kind: "agent",
    model: options.model ?? null,
    status: "ok"
  });
  fragment.spans.push(root);
  const at = cursor();
  // Transcripts may reuse a call id for a later, different call (τ-bench does, 73 times), so calls are matched
  // to results by position: a tool message answers the latest call with its id. A reused id gets a "#n" suffix
  // in the ToolCall row (and its span id), keeping rows distinct; messages keep the id as the source wrote it.
  const latest = new Map<string, {call: ToolCall; span: Span}>();
  const seen = new Map<string, number>();
  const calls: {call: ToolCall; span: Span}[] = [];
  for (const m of messages) {
    builder.messages(traceId, null, [m], "transcript", at, false);
    if (m.role === "tool" && m.toolCallId !== null) {
      const pending = latest.get(m.toolCallId);
      if (pending && pending.call.result === null) pending.call.result = m.content;
    }
    for (const [k, c] of m.toolCalls.entries()) {
      const sourceId = c.id ?? `${at.index - 1}.${k}`;
      const n = (seen.get(sourceId) ?? 0) + 1;
      seen.set(sourceId, n);
      const callId = n === 1 ? sourceId : `${sourceId}#${n}`;
      const s = span(traceId, "tool:" + callId, {parentSpanId: "root", name: c.name, kind: "tool"});
      const call: ToolCall = {
        traceId,
        spanId: s.spanId,
        callId,
        index: 0,
        name: c.name,
        arguments: c.arguments,
        result: null,
        success: null,
        error: null
      };
      fragment.spans.push(s);
      fragment.toolCalls.push(call);
      calls.push({call, span: s});
      latest.set(sourceId, {call, span: s});
    }
  }
  let failed = 0;
  for (const {call, span: s} of calls) {
    // A call without any result stays unknown: its span "unset", its success null.
    if (call.result === null) continue;
    call.success = !isErrorResult(call.result);
    if (!call.success) {
      call.error = call.result;
      failed++;
    }
    s.status = call.success ? "ok" : "error";
    s.statusMessage = call.error;
  }
  const status = failed ? "error" : (options.cleanStatus ?? "ok");
  root.status = status;
  return {toolCalls: calls.length, failedToolCalls: failed, status};
}

/** Reads an OpenAI-style message list, or throws RecordError saying which part is not a message list. */
export function readMessageList(value: unknown, what: string): ChatMessage[] {
  if (!Array.isArray(value)) throw new RecordError(`${what} is not an array of messages`);
  const messages = extractChat(value, "input");
  if (messages === null) throw new RecordError(`${what} holds an entry that is not a chat message`);
  return messages;
}

function isMessageArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && isRecord(value[0]) && typeof value[0].role === "string";
}

/** Feedback from `feedback` (a number, "up"/"down", a boolean, `{name, value|score, label, comment, source}` or a list) and `thumbs`. */
export function readFeedback(traceId: string, value: unknown, defaultName: string, out: Feedback[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) readFeedback(traceId, item, defaultName, out);
    return;
  }
  const base = {
    traceId,
    spanId: null,
    name: defaultName,
    value: null as number | null,
    label: null as string | null,
    comment: null as string | null,
    source: "user"
  };
  if (isRecord(value)) {
    const score = num(value.value ?? value.score);
    const label = str(value.label) ?? (typeof value.value === "string" ? value.value : null);
    out.push({
      ...base,
      name: str(value.name) ?? str(value.key) ?? defaultName,
      value: score ?? thumbValue(label),
      label,
      comment: str(value.comment),
      source: (str(value.source) ?? "user").toLowerCase()
    });
    return;
  }
  const n = typeof value === "boolean" ? (value ? 1 : 0) : num(value);
  const label = typeof value === "string" && n === null ? value : null;
  out.push({...base, value: n ?? thumbValue(label), label: label ?? (n === null ? null : thumbLabel(n))});
}

function thumbValue(label: string | null): number | null {
  if (label === null) return null;
  const l = label.toLowerCase();
  if (l === "up" || l === "thumbs_up" || l === "good" || l === "positive" || l === "pass") return 1;
  if (l === "down" || l === "thumbs_down" || l === "bad" || l === "negative" || l === "fail") return 0;
  return null;
}

function thumbLabel(value: number): string | null {
  return value > 0 ? "up" : value <= 0 ? "down" : null;
}

function traceFields(record: JsonRecord): Partial<TraceInfo> {
  const tags = Array.isArray(record.tags) ? record.tags.filter((t): t is string => typeof t === "string") : [];
  return {
    sessionId: str(record.session_id) ?? str(record.sessionId) ?? str(record.conversation_id),
    userId: str(record.user_id) ?? str(record.userId) ?? str(record.user),
    name: str(record.name),
    model: str(record.model),
    promptVersion: str(record.prompt_version) ?? str(record.promptVersion),
    tags,
    metadata: isRecord(record.metadata) ? record.metadata : {}
  };
}

function idOf(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return str(value);
}

export const chatJsonlReader: FormatReader = {
  format: "chat-jsonl",
  description: "JSON Lines of OpenAI-style chat transcripts ({messages: [...]} or a bare message array per line)",
  splitArrays: false,
  detect(value) {
    if (isMessageArray(value)) return true;
    return (
      isRecord(value) && isMessageArray(value.messages) && !("observations" in value) && !("resourceSpans" in value)
    );
  },
  read(value: unknown, context: RecordContext): Fragment {
    const record: JsonRecord = Array.isArray(value) ? {messages: value} : isRecord(value) ? value : {};
    if (!("messages" in record)) throw new RecordError("a chat transcript needs a messages array");
    const traceId = idOf(record.trace_id) ?? idOf(record.id) ?? fnv1a64(context.text);
    const messages = readMessageList(record.messages, "messages");
    const fields = traceFields(record);
    const builder = new RowBuilder(emptyFragment());
    const summary = readTranscript(builder, traceId, messages, {
      rootName: fields.name ?? "chat",
      model: fields.model ?? null
    });
    const fragment = builder.fragment;
    fragment.traces.push(traceInfo(traceId, {...fields, status: summary.status}));
    readFeedback(traceId, record.feedback, "feedback", fragment.feedback);
    readFeedback(traceId, record.thumbs, "thumbs", fragment.feedback);
    return fragment;
  }
};
