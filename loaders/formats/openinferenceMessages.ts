/**
 * @module Indexed message attributes gathered back into messages: OpenInference's (`llm.input_messages.<i>.message.role`,
 * `….message.contents.<j>.message_content.text`, `….message.tool_calls.<k>.tool_call.function.name`) gathered
 * back into messages.
 *
 * The deprecated GenAI names that OpenLLMetry writes (`gen_ai.prompt.<i>.role` / `.content` / `.tool_call_id`,
 * `gen_ai.completion.<i>.tool_calls.<k>.name` / `.id` / `.arguments`, the older `….function_call.name`) have the
 * same indexed shape, one level flatter.
 *
 * Keys arrive one at a time in any order, so each is stored into a small tree (numbers become array positions)
 * and the tree is read once the span's attributes are all seen.
 */
import {
  contentText,
  makeCall,
  NONE,
  readParts,
  readToolCallList,
  type ChatMessage,
  type ChatToolCall
} from "./chatContent.js";
import {isRecord, parseJsonText, str, type JsonRecord} from "./values.js";

/** Messages by index; each entry is the nested object its keys describe. */
export type IndexedTree = unknown[];

/** Stores `value` at the path after `prefixLength` characters of `key` ("0.message.role"). */
export function setIndexed(tree: IndexedTree | null, key: string, prefixLength: number, value: unknown): IndexedTree {
  const root = tree ?? [];
  const segments = key.slice(prefixLength).split(".");
  let node: unknown[] | JsonRecord = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const index = Array.isArray(node) ? Number(segment) : NaN;
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      // A non-numeric segment where a position is expected means a key outside the convention: ignore it.
      if (!Number.isInteger(index) || index < 0 || index > 10_000) return root;
      if (last) node[index] = value;
      else node = child(node, index, segments[i + 1]!);
    } else if (last) node[segment] = value;
    else node = child(node, segment, segments[i + 1]!);
  }
  return root;
}

function child(node: unknown[] | JsonRecord, at: number | string, next: string): unknown[] | JsonRecord {
  const existing = (node as Record<string | number, unknown>)[at];
  if (Array.isArray(existing) || isRecord(existing)) return existing;
  const made: unknown[] | JsonRecord = /^\d+$/.test(next) ? [] : {};
  (node as Record<string | number, unknown>)[at] = made;
  return made;
}

/** The messages a tree holds, in index order. */
export function indexedMessages(tree: IndexedTree): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const entry of tree) {
    if (!isRecord(entry) || !isRecord(entry.message)) continue;
    const m = entry.message;
    let content = contentText(m.content);
    if (content === null && Array.isArray(m.contents)) {
      content = contentText(
        m.contents.map((c) => (isRecord(c) && isRecord(c.message_content) ? c.message_content : c))
      );
    }
    const calls = Array.isArray(m.tool_calls)
      ? m.tool_calls.map((c) => (isRecord(c) && isRecord(c.tool_call) ? c.tool_call : c))
      : [];
    out.push({
      role: str(m.role),
      name: str(m.name),
      content,
      toolCallId: str(m.tool_call_id),
      toolCalls: readToolCallList(calls)
    });
  }
  return out;
}

/** The messages of a deprecated GenAI indexed tree (`gen_ai.prompt.*` or `gen_ai.completion.*`), in index order. */
export function legacyMessages(tree: IndexedTree): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of tree) {
    if (!isRecord(m)) continue;
    // Content that is not text is written as the JSON of its parts (OpenLLMetry dumps such lists).
    const raw = typeof m.content === "string" && m.content.startsWith("[") ? parseJsonText(m.content) : m.content;
    const parts =
      Array.isArray(raw) && raw.every((p) => isRecord(p) && typeof p.type === "string") ? readParts(raw) : null;
    let toolCalls: readonly ChatToolCall[] = readToolCallList(m.tool_calls);
    const legacy = isRecord(m.function_call) ? makeCall(null, m.function_call.name, m.function_call.arguments) : null;
    if (legacy) toolCalls = [...toolCalls, legacy];
    if (parts && parts.toolCalls.length) toolCalls = [...toolCalls, ...parts.toolCalls];
    const message: ChatMessage = {
      role: str(m.role),
      name: str(m.name),
      content: parts ? parts.text : contentText(raw),
      toolCallId: str(m.tool_call_id),
      toolCalls: toolCalls.length ? toolCalls : NONE
    };
    if (parts && parts.omitted.length) message.omitted = parts.omitted;
    out.push(message);
  }
  return out;
}
