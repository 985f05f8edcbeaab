/**
 * @module How message content is stored: the one rule every reader (and every test) uses to turn structured
 * content into the `content` column, and to pull tool calls and tool results out of content parts.
 *
 * The storage rule for structured content (an array of parts, in any vendor's notation):
 * - text parts (`{type: "text" | "input_text" | "output_text", text}`, GenAI `{type: "text", content}`, Gemini
 *   `{text}`, bare strings) are joined without a separator, as the providers themselves concatenate them —
 *   except in Anthropic messages (marked by `tool_use` / `tool_result` / `thinking` blocks), whose text blocks
 *   are paragraphs joined with a newline, as Langfuse shows them;
 * - tool calls (GenAI `tool_call`, Vercel `tool-call`, Anthropic `tool_use`, Gemini `function_call`) become
 *   ToolCall rows and tool results (GenAI `tool_call_response`, Vercel `tool-result`, Anthropic `tool_result`)
 *   become separate `tool` messages, so neither is part of the text;
 * - every other part (reasoning, `thinking`, Gemini `thought: true`, an image, a file, a vendor's unknown type) is
 *   left out of the text: reasoning is not what was said, and a part's payload (base64 media, encrypted
 *   reasoning) is not text to search, show or judge. Its type is kept instead, in the message's `omitted` list
 *   (the row builder records it on the span), so nothing is dropped without a trace. An array holding untyped
 *   objects that are not Gemini parts is data rather than parts (a tool's result rows) and is stored as its JSON;
 * - OpenAI `refusal` parts are text: what the model said instead of an answer;
 * - an object is stored as compact JSON; a string as it is (an empty tool result is still a result).
 * Gemini `function_response` parts stay text (the JSON of the response), as Gemini sends them in `user` turns.
 */
import {isRecord, str, toText, type JsonRecord} from "./values.js";

export interface ChatToolCall {
  id: string | null;
  name: string;
  /** Arguments as the model wrote them; objects become compact JSON. */
  arguments: string | null;
}

export interface ChatMessage {
  /** Null when the source gives none; the row builder then uses "user" for inputs and "assistant" for outputs. */
  role: string | null;
  name: string | null;
  content: string | null;
  toolCallId: string | null;
  toolCalls: readonly ChatToolCall[];
  /** The types of content parts left out of `content` (reasoning, media, unknown types), in order; absent when none. */
  omitted?: readonly string[];
}

export interface ToolResult {
  id: string | null;
  name: string | null;
  content: string | null;
}

const TEXT_TYPES = new Set(["text", "input_text", "output_text"]);
const REASONING_TYPES = new Set(["reasoning", "thinking", "redacted_thinking"]);
/** Block types only Anthropic's Messages API uses; their presence marks a message as Anthropic's. */
const ANTHROPIC_TYPES = new Set(["tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use"]);

/** The stored text of any content value, by the rule in this module's header. */
export function contentText(content: unknown): string | null {
  if (content === null || content === undefined) return null;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return readParts(content).text;
  return toText(content);
}

/** Arguments or results that may be objects, as text. */
export function argumentText(value: unknown): string | null {
  return value === undefined ? null : toText(value);
}

/** A shared empty list for readings without tool calls or results; callers copy before adding. */
export const NONE: readonly never[] = Object.freeze([]);

export interface PartsReading {
  text: string | null;
  toolCalls: readonly ChatToolCall[];
  toolResults: readonly ToolResult[];
  /** Types of the parts that are neither text nor tool calls or results. */
  omitted: readonly string[];
}

/** Splits an array of content parts into text, tool calls and tool results. */
export function readParts(parts: readonly unknown[]): PartsReading {
  // Runs for every message of every GenAI span, so it allocates only what a message actually holds.
  let text: string | null = null;
  let texts = 0;
  let anthropic = false;
  let omitted: string[] | null = null;
  let data = false;
  let toolCalls: ChatToolCall[] | null = null;
  let toolResults: ToolResult[] | null = null;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (typeof part === "string") {
      text = text === null ? part : text + part;
      texts++;
      continue;
    }
    if (!isRecord(part)) continue;
    if (!anthropic && typeof part.type === "string" && ANTHROPIC_TYPES.has(part.type)) anthropic = true;
    const t = partText(part);
    if (t !== undefined) {
      if (t !== null) {
        text = text === null ? t : text + t;
        texts++;
      } else (omitted ??= []).push(partType(part));
      continue;
    }
    const call = partToolCall(part);
    if (call) {
      (toolCalls ??= []).push(call);
      continue;
    }
    const result = partToolResult(part);
    if (result) {
      (toolResults ??= []).push(result);
      continue;
    }
    if (typeof part.type !== "string" && !GEMINI_MEDIA.some((k) => k in part)) data = true;
    else (omitted ??= []).push(partType(part));
  }
  // Untyped objects are not content parts but data (a tool's result rows): the array is stored as its JSON.
  if (data)
    return {text: JSON.stringify(parts), toolCalls: toolCalls ?? NONE, toolResults: toolResults ?? NONE, omitted: NONE};
  if (anthropic && texts > 1) text = joinedText(parts, "\n");
  return {text, toolCalls: toolCalls ?? NONE, toolResults: toolResults ?? NONE, omitted: omitted ?? NONE};
}

/** Gemini's untyped media parts. */
const GEMINI_MEDIA = [
  "inline_data",
  "inlineData",
  "file_data",
  "fileData",
  "executable_code",
  "executableCode",
  "code_execution_result",
  "codeExecutionResult"
];

/** A part's type for the omitted list: its `type`, Gemini's `thought`, or the name of its one payload key. */
function partType(part: JsonRecord): string {
  if (typeof part.type === "string") return part.type;
  if (part.thought === true) return "thought";
  for (const key in part) return key;
  return "unknown";
}

/** The text parts joined with `separator` (Anthropic's text blocks are separate paragraphs). */
function joinedText(parts: readonly unknown[], separator: string): string {
  const texts: string[] = [];
  for (const part of parts) {
    const t = typeof part === "string" ? part : isRecord(part) ? partText(part) : undefined;
    if (typeof t === "string") texts.push(t);
  }
  return texts.join(separator);
}

/** A text part's text; null for a part that is text but carries nothing to store (reasoning); undefined if not text. */
function partText(part: JsonRecord): string | null | undefined {
  const type = part.type;
  if (typeof type === "string") {
    if (REASONING_TYPES.has(type)) return null;
    if (type === "refusal" && typeof part.refusal === "string") return part.refusal;
    if (!TEXT_TYPES.has(type)) return undefined;
    if (part.thought === true) return null;
    if (typeof part.text === "string") return part.text;
    if (typeof part.content === "string") return part.content;
    return undefined;
  }
  if ("text" in part && part.text !== null && part.text !== undefined) {
    if (part.thought === true) return null;
    return typeof part.text === "string" ? part.text : JSON.stringify(part.text);
  }
  const response = part.function_response ?? part.functionResponse;
  if (isRecord(response)) return JSON.stringify(response.response ?? {});
  return undefined;
}

function partToolCall(part: JsonRecord): ChatToolCall | null {
  switch (part.type) {
    case "tool_call":
    case "function_call":
      return makeCall(part.id ?? part.call_id, part.name, part.arguments ?? part.args);
    case "tool-call":
      return makeCall(part.toolCallId, part.toolName, part.input ?? part.args);
    case "tool_use":
    case "server_tool_use":
      return makeCall(part.id, part.name, part.input);
  }
  const gemini = part.function_call ?? part.functionCall;
  if (isRecord(gemini)) return makeCall(gemini.id, gemini.name, gemini.args ?? {});
  return null;
}

function partToolResult(part: JsonRecord): ToolResult | null {
  switch (part.type) {
    case "tool_call_response":
      return {id: str(part.id), name: str(part.name), content: argumentText(part.response ?? part.result)};
    case "tool-result":
      return {
        id: str(part.toolCallId),
        name: str(part.toolName),
        content: argumentText(unwrapOutput(part.output ?? part.result))
      };
    case "tool_result":
      return {id: str(part.tool_use_id), name: null, content: contentText(part.content)};
    case "function_call_output":
      return {id: str(part.call_id), name: null, content: argumentText(part.output)};
  }
  return null;
}

/** Vercel AI SDK v5 wraps tool outputs as `{type: "text" | "json", value}`. */
function unwrapOutput(output: unknown): unknown {
  if (isRecord(output) && "value" in output && (output.type === "text" || output.type === "json")) return output.value;
  return output;
}

export function makeCall(id: unknown, name: unknown, args: unknown): ChatToolCall | null {
  if (typeof name !== "string" || name === "") return null;
  return {id: str(id), name, arguments: argumentText(args)};
}

/** Tool calls from an OpenAI (`{id, function: {name, arguments}}`), flat, LangChain (`args`) or Vercel list. */
export function readToolCallList(list: unknown): readonly ChatToolCall[] {
  if (!Array.isArray(list) || list.length === 0) return NONE;
  const calls: ChatToolCall[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const fn = item.function;
    const call = isRecord(fn)
      ? makeCall(item.id, fn.name, fn.arguments)
      : "toolName" in item
        ? makeCall(item.toolCallId, item.toolName, item.input ?? item.args)
        : makeCall(item.id ?? item.call_id, item.name, item.arguments ?? item.args ?? item.input);
    if (call) calls.push(call);
  }
  return calls;
}
