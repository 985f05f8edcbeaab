/**
 * @module Reads chat messages out of whatever an LLM framework logged as a call's input or output: OpenAI chat
 * messages, completions (`choices`) and Responses API items, GenAI semantic-convention `parts` messages, Gemini
 * `contents` / `candidates`, Google ADK invocations, LangChain messages (plain, `{type, data}` and `lc`
 * constructor shapes), Vercel AI SDK messages and tool-call lists, Anthropic content blocks.
 *
 * The shapes it accepts follow what Langfuse's own ChatML adapters accept, because Langfuse exports are judged
 * against them: a value is read as messages when it is a list of message objects, `{messages: [...]}`, `[[...]]`,
 * one message, or one of the vendor envelopes above; on the output side any other object is one message whose
 * content is that object's JSON (a tool's structured result, an agent's final state). Plain text, and objects on
 * the input side that are not messages (a tool's arguments), are not messages: `extractChat` returns null and the
 * reader stores no message for that side rather than invent one.
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

export type Side = "input" | "output";

// A Map, not an object literal: `"constructor" in {}` is true, and LangChain's serialized messages have
// `type: "constructor"`.
const LANGCHAIN_ROLES = new Map<string, string>([
  ["human", "user"],
  ["HumanMessage", "user"],
  ["HumanMessageChunk", "user"],
  ["ai", "assistant"],
  ["AIMessage", "assistant"],
  ["AIMessageChunk", "assistant"],
  ["system", "system"],
  ["SystemMessage", "system"],
  ["tool", "tool"],
  ["ToolMessage", "tool"],
  ["function", "function"],
  ["FunctionMessage", "function"],
  ["chat", "chat"],
  ["ChatMessage", "chat"]
]);

/** Messages in `value` (already JSON-decoded), or null when it is not a message shape. */
export function extractChat(value: unknown, side: Side): ChatMessage[] | null {
  if (Array.isArray(value)) return readList(value, side);
  if (isRecord(value)) return readObject(value, side);
  return null;
}

function readObject(obj: JsonRecord, side: Side): ChatMessage[] | null {
  const choices = obj.choices;
  if (Array.isArray(choices) && isRecord(choices[0])) {
    const choice = choices[0];
    if (isRecord(choice.message)) return readMessage({role: "assistant", ...choice.message});
    if (typeof choice.text === "string") return [message("assistant", choice.text)];
  }
  if (Array.isArray(obj.output) && (obj.object === "response" || "tools" in obj)) return readList(obj.output, side);
  if (Array.isArray(obj.candidates) && isRecord(obj.candidates[0]) && isRecord(obj.candidates[0].content)) {
    return readMessage(obj.candidates[0].content);
  }
  if (isRecord(obj.content) && Array.isArray(obj.content.parts)) return readMessage(obj.content);
  if ("contents" in obj && !("messages" in obj)) return readGeminiRequest(obj);
  if (isRecord(obj.new_message) && Array.isArray(obj.new_message.parts)) return readMessage(obj.new_message);
  if ("messages" in obj) {
    // A chat request is `{messages, tools?}` with tool definitions; an object whose `tools` are something else
    // (agno's run record lists executed calls there) is a run record that merely holds a message list.
    if ("tools" in obj && !areToolDefinitions(obj.tools)) return null;
    const messages = parseJsonText(obj.messages);
    return Array.isArray(messages) ? readList(messages, side) : null;
  }
  if (Array.isArray(obj.generations)) return readGenerations(obj.generations);
  if (isMessage(obj)) return readMessage(obj);
  if (side === "output") return dataMessage(obj);
  return null;
}

function readList(list: readonly unknown[], side: Side): ChatMessage[] | null {
  if (list.length === 1 && Array.isArray(list[0])) return readList(list[0], side);
  if (isToolCallList(list)) {
    // The Vercel AI SDK logs an output that is only tool calls as the bare list of calls.
    return [{role: "assistant", name: null, content: null, toolCallId: null, toolCalls: readToolCallList(list)}];
  }
  const out: ChatMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    // Strings and numbers inside a message list are not messages (agno logs Python reprs there).
    if (!isRecord(item)) continue;
    if (!readItem(item, out)) return null;
  }
  return out;
}

function areToolDefinitions(tools: unknown): boolean {
  if (!Array.isArray(tools)) return false;
  for (const t of tools) {
    if (!isRecord(t)) return false;
    const fn = isRecord(t.function) ? t.function : t;
    if (typeof fn.name !== "string") return false;
  }
  return true;
}

function isToolCallList(list: readonly unknown[]): boolean {
  if (list.length === 0) return false;
  for (const item of list) if (!isRecord(item) || !("toolCallId" in item) || !("toolName" in item)) return false;
  return true;
}

/** Appends what one list item holds to `out`; false when the item makes the list unreadable. */
function readItem(item: JsonRecord, out: ChatMessage[]): boolean {
  switch (item.type) {
    case "function_call":
    case "tool_call": {
      if (typeof item.name !== "string") break;
      const call = makeCall(item.call_id ?? item.id, item.name, item.arguments ?? item.args);
      out.push({role: "assistant", name: null, content: null, toolCallId: null, toolCalls: call ? [call] : NONE});
      return true;
    }
    case "function_call_output":
      out.push({
        role: "tool",
        name: null,
        content: contentText(item.output),
        toolCallId: str(item.call_id),
        toolCalls: NONE
      });
      return true;
    case "reasoning":
      return true;
  }
  if (isMessage(item)) {
    readMessage(item, out);
    return true;
  }
  // GenAI choice events (`{index, message: {role, content}, finish_reason}`) wrap the message they report.
  if (isRecord(item.message) && isMessage(item.message)) {
    readMessage(item.message, out);
    return true;
  }
  const data = dataMessage(item);
  if (data === null) return false;
  for (const m of data) out.push(m);
  return true;
}

/** Whether an object is one chat message (as opposed to a data object). */
function isMessage(obj: JsonRecord): boolean {
  // `{role, text}` is how some SDKs log a plain text message (Langfuse shows such observations).
  if (typeof obj.role === "string")
    return "content" in obj || "parts" in obj || "tool_calls" in obj || typeof obj.text === "string";
  if (typeof obj.type === "string" && LANGCHAIN_ROLES.has(obj.type) && ("content" in obj || isRecord(obj.data)))
    return true;
  return obj.lc === 1 && obj.type === "constructor" && Array.isArray(obj.id) && isRecord(obj.kwargs);
}

/** One source message, which may yield several: each tool result part becomes its own `tool` message. */
function readMessage(raw: JsonRecord, out: ChatMessage[] = []): ChatMessage[] {
  const m = unwrapLangChain(raw);
  const role = str(m.role);
  // LangGraph lists tool definitions as `tool` messages whose content is the definition: they are not messages.
  if (role === "tool" && isRecord(m.content) && m.content.type === "function" && isRecord(m.content.function))
    return out;
  const parts = Array.isArray(m.parts) ? m.parts : Array.isArray(m.content) ? m.content : null;
  const body = m.content === undefined && typeof m.text === "string" ? m.text : m.content;
  const reading = parts
    ? readParts(parts)
    : {text: contentText(body), toolCalls: NONE, toolResults: NONE, omitted: NONE};
  let toolCalls: readonly ChatToolCall[] = reading.toolCalls;
  let listed = readToolCallList(m.tool_calls ?? m.toolCalls);
  if (listed.length === 0 && isRecord(m.additional_kwargs)) listed = readToolCallList(m.additional_kwargs.tool_calls);
  const legacy = isRecord(m.function_call) ? makeCall(null, m.function_call.name, m.function_call.arguments) : null;
  if (listed.length > 0 || legacy) {
    toolCalls = [...toolCalls, ...listed, ...(legacy ? [legacy] : [])];
  }
  const toolCallId = str(m.tool_call_id) ?? str(m.toolCallId);
  // A message of only left-out parts (an image, encrypted reasoning) is still a message, with no text.
  const omitted = reading.omitted;
  if (reading.text !== null || toolCalls.length > 0 || toolCallId !== null || omitted.length > 0) {
    const row: ChatMessage = {role, name: str(m.name), content: reading.text, toolCallId, toolCalls};
    if (omitted.length > 0) row.omitted = omitted;
    out.push(row);
  }
  for (const result of reading.toolResults) {
    out.push({role: "tool", name: result.name, content: result.content, toolCallId: result.id, toolCalls: NONE});
  }
  return out;
}

/** LangChain messages as `{type, content}`, `{type, data: {content}}` or `{lc, id: [..., class], kwargs}`. */
function unwrapLangChain(m: JsonRecord): JsonRecord {
  if (typeof m.role === "string") return m;
  if (m.lc === 1 && Array.isArray(m.id) && isRecord(m.kwargs)) {
    const cls = m.id[m.id.length - 1];
    const role = typeof cls === "string" ? LANGCHAIN_ROLES.get(cls) : undefined;
    return {...m.kwargs, role: role === "chat" || role === undefined ? (m.kwargs.role ?? null) : role};
  }
  const role = typeof m.type === "string" ? LANGCHAIN_ROLES.get(m.type) : undefined;
  if (role !== undefined) {
    const body = isRecord(m.data) && !("content" in m) ? m.data : m;
    return {...body, role: role === "chat" ? body.role : role};
  }
  return m;
}

function readGeminiRequest(obj: JsonRecord): ChatMessage[] | null {
  const out: ChatMessage[] = [];
  const config = isRecord(obj.config) ? obj.config : null;
  const system = config ? contentText(config.system_instruction ?? config.systemInstruction) : null;
  if (system !== null) out.push(message("system", system));
  const contents = obj.contents;
  if (typeof contents === "string") out.push(message("user", contents));
  else if (Array.isArray(contents)) {
    for (const item of contents) if (isRecord(item)) for (const m of readMessage(item)) out.push(m);
  } else return null;
  return out;
}

/** LangChain LLM results: `generations: [[{text, message}]]`. */
function readGenerations(generations: readonly unknown[]): ChatMessage[] | null {
  const list = Array.isArray(generations[0]) ? generations[0] : generations;
  const out: ChatMessage[] = [];
  for (const g of list) {
    if (!isRecord(g)) continue;
    if (isRecord(g.message))
      for (const m of readMessage({role: "assistant", ...unwrapLangChain(g.message)})) out.push(m);
    else if (typeof g.text === "string") out.push(message("assistant", g.text));
  }
  return out;
}

/**
 * An output object that is not a message, kept as one message whose content is its JSON — unless its message
 * fields have the wrong types (`name: null`, a `tools` list without names), which marks a foreign object that
 * merely resembles a message; that is not read at all. An empty object says nothing and yields no message.
 */
function dataMessage(obj: JsonRecord): ChatMessage[] | null {
  if (!hasMessageFieldTypes(obj)) return null;
  const keys = Object.keys(obj);
  if (keys.length === 0) return [];
  const content =
    typeof obj.content === "string" || Array.isArray(obj.content) ? contentText(obj.content) : JSON.stringify(obj);
  return [
    {
      role: null,
      name: str(obj.name),
      content,
      toolCallId: str(obj.tool_call_id),
      toolCalls: readToolCallList(obj.tool_calls)
    }
  ];
}

function hasMessageFieldTypes(obj: JsonRecord): boolean {
  for (const key of ["role", "name", "tool_call_id"]) if (key in obj && typeof obj[key] !== "string") return false;
  if ("tool_calls" in obj && !Array.isArray(obj.tool_calls)) return false;
  if ("additional_kwargs" in obj && !isRecord(obj.additional_kwargs)) return false;
  if ("content" in obj && typeof obj.content !== "string" && typeof obj.content !== "object") return false;
  if ("tools" in obj) {
    const tools = obj.tools;
    if (!Array.isArray(tools) || !tools.every((t) => isRecord(t) && typeof t.name === "string")) return false;
  }
  return true;
}

function message(role: string, content: string | null): ChatMessage {
  return {role, name: null, content, toolCallId: null, toolCalls: NONE};
}
