/**
 * @module The mapping from flattened span attributes to the trace model, shared by the OTLP reader and the
 * attribute-map reader: OpenTelemetry GenAI conventions (`gen_ai.*`), OpenInference (`openinference.span.kind`,
 * `llm.*`, `input.value`), and the Vercel AI SDK (`ai.*`).
 *
 * It runs once per attribute inside the OTLP reader's loop, so it is built for speed: one Map lookup turns a key
 * into a small code, a switch stores the value, and everything that needs parsing (message JSON, indexed
 * OpenInference message keys) waits until `finishGenAi`, once per span. Keys it does not know cost one lookup.
 *
 * Choices: the model is the response model when given (what actually ran), else the requested one; kinds come
 * from `openinference.span.kind`, then `gen_ai.operation.name`, then the Vercel operation id; `error.type` makes
 * an unset status "error". Trace-level values (session, user, prompt version, tags) are returned to the caller,
 * which emits a TraceInfo only when one of them is present.
 */
import type {Feedback, Span, SpanKind} from "../../src/core/schemas/trace.js";
import type {ChatMessage} from "./chatContent.js";
import {contentText, NONE} from "./chatContent.js";
import {extractChat} from "./chatMessages.js";
import {indexedMessages, legacyMessages, setIndexed, type IndexedTree} from "./openinferenceMessages.js";
import {cursor, type RowBuilder} from "./rows.js";
import {isRecord, num, parseJsonText, str, toText, type JsonRecord} from "./values.js";

export interface GenAiFields {
  oiKind: unknown;
  operation: unknown;
  aiOperation: unknown;
  requestModel: unknown;
  responseModel: unknown;
  inputTokens: unknown;
  outputTokens: unknown;
  cost: unknown;
  inputMessages: unknown;
  outputMessages: unknown;
  systemInstructions: unknown;
  toolName: unknown;
  toolCallId: unknown;
  toolArguments: unknown;
  toolResult: unknown;
  errorType: unknown;
  sessionId: unknown;
  userId: unknown;
  promptVersion: unknown;
  tags: unknown;
  inputValue: unknown;
  outputValue: unknown;
  bareInput: unknown;
  bareOutput: unknown;
  aiPrompt: unknown;
  aiResponseText: unknown;
  aiResponseToolCalls: unknown;
  inputMime: unknown;
  outputMime: unknown;
  toolSuccess: unknown;
  errorMessage: unknown;
  tlKind: unknown;
  tlName: unknown;
  oiInput: IndexedTree | null;
  oiOutput: IndexedTree | null;
  /** The deprecated indexed GenAI messages (`gen_ai.prompt.<i>.role`, `gen_ai.completion.<i>.content`). */
  legacyInput: IndexedTree | null;
  legacyOutput: IndexedTree | null;
  /** The rank of the alias that set a field, when it was not the best-ranked one. */
  ranks: Partial<Record<Field, number>> | null;
  /** The attribute key each message payload came from, for putting an unreadable one back. */
  movedKeys: Partial<Record<Field, string>> | undefined;
}

export function newGenAi(): GenAiFields {
  return resetGenAi({} as GenAiFields);
}

/**
 * Clears `g` for the next span. The OTLP reader reuses one GenAiFields for all spans of a record: a span's
 * fields are consumed by `finishGenAi` before the next span starts, and not allocating thirty fields per span
 * is a measurable share of the hot path's garbage.
 */
export function resetGenAi(g: GenAiFields): GenAiFields {
  g.oiKind = g.operation = g.aiOperation = g.requestModel = g.responseModel = undefined;
  g.inputTokens = g.outputTokens = g.cost = g.inputMessages = g.outputMessages = undefined;
  g.systemInstructions = g.toolName = g.toolCallId = g.toolArguments = g.toolResult = undefined;
  g.errorType = g.sessionId = g.userId = g.promptVersion = g.tags = undefined;
  g.inputValue = g.outputValue = g.bareInput = g.bareOutput = g.aiPrompt = g.aiResponseText = undefined;
  g.aiResponseToolCalls = g.inputMime = g.outputMime = g.toolSuccess = g.errorMessage = g.tlKind = g.tlName = undefined;
  g.oiInput = g.oiOutput = g.legacyInput = g.legacyOutput = null;
  g.ranks = null;
  g.movedKeys = undefined;
  return g;
}

type Field = Exclude<
  keyof GenAiFields,
  "oiInput" | "oiOutput" | "legacyInput" | "legacyOutput" | "ranks" | "movedKeys"
>;

// Several keys feed one field; a key listed earlier for a field wins over a later one whatever their order in
// the span, so each key carries its rank within its field.
const KEYS: [string, Field][] = [
  ["openinference.span.kind", "oiKind"],
  ["gen_ai.operation.name", "operation"],
  ["ai.operationId", "aiOperation"],
  ["gen_ai.response.model", "responseModel"],
  ["ai.response.model", "responseModel"],
  ["gen_ai.request.model", "requestModel"],
  ["llm.model_name", "requestModel"],
  ["ai.model.id", "requestModel"],
  ["gen_ai.usage.input_tokens", "inputTokens"],
  ["llm.token_count.prompt", "inputTokens"],
  ["ai.usage.inputTokens", "inputTokens"],
  ["ai.usage.promptTokens", "inputTokens"],
  ["gen_ai.usage.prompt_tokens", "inputTokens"],
  // An embedding call's only count (the Vercel AI SDK's embed spans): the tokens it read.
  ["ai.usage.tokens", "inputTokens"],
  ["gen_ai.usage.output_tokens", "outputTokens"],
  ["llm.token_count.completion", "outputTokens"],
  ["ai.usage.outputTokens", "outputTokens"],
  ["ai.usage.completionTokens", "outputTokens"],
  ["gen_ai.usage.completion_tokens", "outputTokens"],
  ["gen_ai.usage.cost", "cost"],
  ["llm.cost.total", "cost"],
  ["gen_ai.input.messages", "inputMessages"],
  ["ai.prompt.messages", "inputMessages"],
  ["gen_ai.output.messages", "outputMessages"],
  ["ai.response.text", "aiResponseText"],
  // generateObject's answer is the object it generated, as JSON text.
  ["ai.response.object", "aiResponseText"],
  ["gen_ai.system_instructions", "systemInstructions"],
  ["gen_ai.tool.name", "toolName"],
  ["tool.name", "toolName"],
  ["ai.toolCall.name", "toolName"],
  ["gen_ai.tool.call.id", "toolCallId"],
  ["tool_call.id", "toolCallId"],
  ["ai.toolCall.id", "toolCallId"],
  ["gen_ai.tool.call.arguments", "toolArguments"],
  ["ai.toolCall.args", "toolArguments"],
  ["ai.toolCall.input", "toolArguments"],
  ["tool.arguments", "toolArguments"],
  ["tool.args", "toolArguments"],
  ["tool.input", "toolArguments"],
  ["tool.parameters", "toolArguments"],
  ["gen_ai.tool.call.result", "toolResult"],
  ["ai.toolCall.result", "toolResult"],
  ["ai.toolCall.output", "toolResult"],
  ["tool.result", "toolResult"],
  ["tool.output", "toolResult"],
  ["tool.response", "toolResult"],
  ["gen_ai.tool.call.success", "toolSuccess"],
  ["tool.success", "toolSuccess"],
  ["success", "toolSuccess"],
  ["error.type", "errorType"],
  ["error.message", "errorMessage"],
  ["tool.error", "errorMessage"],
  ["exception.message", "errorMessage"],
  ["session.id", "sessionId"],
  ["gen_ai.conversation.id", "sessionId"],
  ["langfuse.session.id", "sessionId"],
  ["ai.telemetry.metadata.sessionId", "sessionId"],
  ["user.id", "userId"],
  ["enduser.id", "userId"],
  ["langfuse.user.id", "userId"],
  ["ai.telemetry.metadata.userId", "userId"],
  ["gen_ai.prompt.version", "promptVersion"],
  ["prompt.version", "promptVersion"],
  ["llm.prompt_template.version", "promptVersion"],
  ["langfuse.prompt.version", "promptVersion"],
  ["tag.tags", "tags"],
  ["input.value", "inputValue"],
  ["traceloop.entity.input", "inputValue"],
  ["output.value", "outputValue"],
  ["traceloop.entity.output", "outputValue"],
  ["input.mime_type", "inputMime"],
  ["output.mime_type", "outputMime"],
  ["traceloop.span.kind", "tlKind"],
  ["traceloop.entity.name", "tlName"],
  ["input", "bareInput"],
  ["output", "bareOutput"],
  ["ai.prompt", "aiPrompt"],
  ["ai.response.toolCalls", "aiResponseToolCalls"]
];

const CODES = new Map<string, {field: Field; rank: number}>();
{
  const seen = new Map<Field, number>();
  for (const [key, field] of KEYS) {
    const rank = seen.get(field) ?? 0;
    seen.set(field, rank + 1);
    CODES.set(key, {field, rank});
  }
}
/** Fields whose payload becomes message rows, so a span's attributes need not hold a second copy. */
const MOVED_FIELDS = new Set<Field>(["inputMessages", "outputMessages", "systemInstructions"]);

/**
 * Records one attribute if it means something to the model; unknown keys cost one Map lookup. Returns true for a
 * message payload, which callers that build attributes themselves (OTLP) may leave out of them.
 */
export function applyAttribute(g: GenAiFields, key: string, value: unknown): boolean {
  const code = CODES.get(key);
  if (code !== undefined) {
    const field = code.field;
    const moved = MOVED_FIELDS.has(field);
    if (moved) (g.movedKeys ??= {})[field] = key;
    if (g[field] === undefined) {
      g[field] = value;
      if (code.rank > 0) (g.ranks ??= {})[field] = code.rank;
    } else if (code.rank < (g.ranks?.[field] ?? 0)) {
      g[field] = value;
      (g.ranks ??= {})[field] = code.rank;
    }
    return moved;
  }
  const c = key.charCodeAt(0);
  if (c === 108 && key.startsWith("llm.")) {
    if (key.startsWith("llm.input_messages.")) g.oiInput = setIndexed(g.oiInput, key, 19, value);
    else if (key.startsWith("llm.output_messages.")) g.oiOutput = setIndexed(g.oiOutput, key, 20, value);
  } else if (c === 103 && key.startsWith("gen_ai.")) {
    // The deprecated indexed messages, as OpenLLMetry still writes them.
    if (key.startsWith("gen_ai.prompt.")) g.legacyInput = setIndexed(g.legacyInput, key, 14, value);
    else if (key.startsWith("gen_ai.completion.")) g.legacyOutput = setIndexed(g.legacyOutput, key, 18, value);
  }
  return false;
}

// Maps rather than object literals, so a value such as "constructor" finds nothing instead of a prototype member.
const OPERATION_KINDS = new Map<string, SpanKind>([
  ["chat", "llm"],
  ["text_completion", "llm"],
  ["generate_content", "llm"],
  ["execute_tool", "tool"],
  ["invoke_agent", "agent"],
  ["create_agent", "agent"],
  ["embeddings", "embedding"],
  ["retrieval", "retriever"]
]);

const OI_KINDS = new Map<string, SpanKind>([
  ["LLM", "llm"],
  ["TOOL", "tool"],
  ["AGENT", "agent"],
  ["CHAIN", "chain"],
  ["RETRIEVER", "retriever"],
  ["RERANKER", "retriever"],
  ["EMBEDDING", "embedding"],
  ["EVALUATOR", "evaluator"],
  ["GUARDRAIL", "span"],
  ["PROMPT", "span"]
]);

// OpenLLMetry's span kinds (`traceloop.span.kind`); LLM calls carry `llm.request.type` instead and GenAI names.
const TRACELOOP_KINDS = new Map<string, SpanKind>([
  ["workflow", "chain"],
  ["task", "chain"],
  ["agent", "agent"],
  ["tool", "tool"]
]);

function kindOf(g: GenAiFields): SpanKind {
  const oi = typeof g.oiKind === "string" ? OI_KINDS.get(g.oiKind.toUpperCase()) : undefined;
  if (oi) return oi;
  const op = typeof g.operation === "string" ? OPERATION_KINDS.get(g.operation) : undefined;
  if (op) return op;
  if (g.tlKind !== undefined) {
    const tl = typeof g.tlKind === "string" ? TRACELOOP_KINDS.get(g.tlKind) : undefined;
    if (tl) return tl;
  }
  if ((g.legacyInput?.length ?? 0) > 0 || (g.legacyOutput?.length ?? 0) > 0) return "llm";
  const ai = typeof g.aiOperation === "string" ? g.aiOperation : null;
  if (ai !== null) {
    if (ai.endsWith(".doGenerate") || ai.endsWith(".doStream")) return "llm";
    if (ai.endsWith(".doEmbed")) return "embedding";
    if (ai === "ai.toolCall") return "tool";
    if (ai.startsWith("ai.")) return "chain";
  }
  return "span";
}

export interface TraceLevel {
  sessionId: string | null;
  userId: string | null;
  promptVersion: string | null;
  tags: string[];
}

/**
 * Completes a span row from what `applyAttribute` collected, and adds its messages and tool calls to the
 * builder. Returns the trace-level values when the span carries any, else null.
 */
export function finishGenAi(g: GenAiFields, row: Span, builder: RowBuilder): TraceLevel | null {
  const kind = kindOf(g);
  row.kind = kind;
  row.model = str(g.responseModel) ?? str(g.requestModel);
  row.inputTokens = num(g.inputTokens);
  row.outputTokens = num(g.outputTokens);
  row.costUsd = num(g.cost);
  const errorType = str(g.errorType);
  if (errorType !== null && row.status !== "error") {
    row.status = "error";
    if (row.statusMessage === null) row.statusMessage = errorType;
  }
  let input = inputMessages(g);
  let output = outputMessages(g);
  if (g.movedKeys !== undefined) restoreUnread(g, row, input !== null, output !== null);
  // An LLM span that names its messages nowhere else may carry the request and response bodies themselves.
  if (
    kind === "llm" &&
    (input === null || output === null) &&
    (g.inputValue !== undefined || g.outputValue !== undefined)
  ) {
    const known = str(g.responseModel) !== null;
    if (input === null) input = bodyMessages(g.inputValue, g.inputMime, "input", row, known);
    if (output === null) output = bodyMessages(g.outputValue, g.outputMime, "output", row, known);
  }
  if (input !== null || output !== null) {
    const at = cursor();
    if (input !== null) builder.messages(row.traceId, row.spanId, input, "input", at, false);
    if (output !== null) builder.messages(row.traceId, row.spanId, output, "output", at, true);
  }
  if (kind === "tool") toolCall(g, row, builder);
  return traceLevel(g);
}

/**
 * Puts a message payload back into the span's attributes when it could not be read as messages, so a reader
 * that leaves payloads out of attributes never loses one. Readers that keep every attribute skip nothing.
 */
function restoreUnread(g: GenAiFields, row: Span, inputRead: boolean, outputRead: boolean): void {
  const keys = g.movedKeys!;
  const restore = (field: Field, read: boolean) => {
    const key = keys[field];
    if (key !== undefined && !read && !(key in row.attributes)) row.attributes[key] = g[field];
  };
  restore("inputMessages", inputRead);
  restore("systemInstructions", inputRead);
  restore("outputMessages", outputRead);
}

function inputMessages(g: GenAiFields): ChatMessage[] | null {
  let messages: ChatMessage[] | null = null;
  if (g.inputMessages !== undefined) messages = extractChat(parseJsonText(g.inputMessages), "input");
  else if (g.oiInput !== null) messages = indexedMessages(g.oiInput);
  else if (g.legacyInput !== null && g.legacyInput.length > 0) messages = legacyMessages(g.legacyInput);
  else if (g.aiPrompt !== undefined) messages = vercelPrompt(parseJsonText(g.aiPrompt));
  if (g.systemInstructions !== undefined) {
    const text = contentText(parseJsonText(g.systemInstructions));
    if (text !== null)
      messages = [{role: "system", name: null, content: text, toolCallId: null, toolCalls: NONE}, ...(messages ?? [])];
  }
  return messages;
}

function outputMessages(g: GenAiFields): ChatMessage[] | null {
  if (g.outputMessages !== undefined) return extractChat(parseJsonText(g.outputMessages), "output");
  if (g.oiOutput !== null) return indexedMessages(g.oiOutput);
  if (g.legacyOutput !== null && g.legacyOutput.length > 0) return legacyMessages(g.legacyOutput);
  // The Vercel AI SDK logs the answer as plain text and the calls it made as a JSON list beside it.
  const calls =
    g.aiResponseToolCalls !== undefined ? extractChat(parseJsonText(g.aiResponseToolCalls), "output") : null;
  if (typeof g.aiResponseText === "string") {
    return [
      {
        role: "assistant",
        name: null,
        content: g.aiResponseText,
        toolCallId: null,
        toolCalls: calls?.[0]?.toolCalls ?? NONE
      }
    ];
  }
  return calls;
}

/**
 * Messages from an LLM span's `input.value` / `output.value` (OpenInference): with mime type `application/json`
 * (or JSON-looking text without one), a provider's request or response body — OpenAI chat completions
 * (`{model, messages}` / `{model, choices, usage}`), the Responses API, Anthropic, Gemini; with `text/plain`, the
 * prompt or the answer as one message. The body's model and token counts fill what the span's attributes left
 * unknown. Other JSON (a framework's own objects) is not read as messages.
 */
function bodyMessages(
  value: unknown,
  mime: unknown,
  side: "input" | "output",
  row: Span,
  responseModelKnown: boolean
): ChatMessage[] | null {
  if (typeof value !== "string" || value === "") return null;
  if (mime === "text/plain")
    return [
      {role: side === "input" ? "user" : "assistant", name: null, content: value, toolCallId: null, toolCalls: NONE}
    ];
  if (mime !== undefined && mime !== "application/json") return null;
  const body = parseJsonText(value);
  if (!isRecord(body)) return null;
  const chat =
    side === "input"
      ? "messages" in body || "contents" in body || Array.isArray(body.input)
      : Array.isArray(body.choices) ||
        body.object === "response" ||
        Array.isArray(body.candidates) ||
        (body.type === "message" && typeof body.role === "string");
  if (!chat) return null;
  const model = str(body.model) ?? str(body.modelVersion);
  // The response's model is what ran, as with gen_ai.response.model; the request's only fills a gap.
  if (model !== null && (row.model === null || (side === "output" && !responseModelKnown))) row.model = model;
  if (side === "output") bodyUsage(body, row);
  // A Responses API request's `input` list holds the conversation where a chat request has `messages`.
  if (side === "input" && !("messages" in body) && Array.isArray(body.input)) return extractChat(body.input, "input");
  return extractChat(body, side);
}

/** Token counts from a response body's usage: OpenAI chat and Responses, Anthropic, Gemini. */
function bodyUsage(body: JsonRecord, row: Span): void {
  const usage = isRecord(body.usage) ? body.usage : isRecord(body.usageMetadata) ? body.usageMetadata : null;
  if (usage === null) return;
  row.inputTokens ??= num(usage.prompt_tokens) ?? num(usage.input_tokens) ?? num(usage.promptTokenCount);
  row.outputTokens ??= num(usage.completion_tokens) ?? num(usage.output_tokens) ?? num(usage.candidatesTokenCount);
}

/** The Vercel AI SDK's `ai.prompt`: `{prompt}` (one user message) or `{system?, messages}`. */
function vercelPrompt(value: unknown): ChatMessage[] | null {
  if (!isRecord(value)) return null;
  const out: ChatMessage[] = [];
  const system = str(value.system);
  if (system !== null) out.push({role: "system", name: null, content: system, toolCallId: null, toolCalls: NONE});
  if (typeof value.prompt === "string")
    out.push({role: "user", name: null, content: value.prompt, toolCallId: null, toolCalls: NONE});
  else if (Array.isArray(value.messages)) out.push(...(extractChat(value.messages, "input") ?? []));
  return out.length ? out : null;
}

/**
 * The ToolCall of a tool execution span. Arguments and result come from the GenAI attributes, then the common
 * alternatives (`tool.arguments`, `input.value`, …); the outcome from a boolean success attribute (`tool.success`,
 * `success`) when present, else from the span's status (error status or `error.type`). A span that reports
 * failure only through the success attribute is marked "error" too, as `error.type` marks it.
 */
function toolCall(g: GenAiFields, row: Span, builder: RowBuilder): void {
  const name = str(g.toolName) ?? str(g.tlName) ?? row.name;
  if (name === "") return;
  const args = g.toolArguments ?? g.inputValue ?? g.bareInput ?? null;
  const result = g.toolResult ?? g.outputValue ?? g.bareOutput ?? null;
  const said = g.toolSuccess === undefined ? null : flag(g.toolSuccess);
  const failed = said === false || row.status === "error";
  if (said === false && row.status !== "error") {
    row.status = "error";
    row.statusMessage ??= str(g.errorMessage);
  }
  builder.toolCall(
    row.traceId,
    row.spanId,
    {id: str(g.toolCallId), name, arguments: toText(args)},
    {
      id: null,
      name,
      arguments: null,
      result: toText(result),
      success: !failed,
      error: failed ? (row.statusMessage ?? str(g.errorMessage) ?? str(g.errorType) ?? "error") : null
    }
  );
}

/** A boolean attribute, also written as "true"/"false" text or 1/0; null when it is neither. */
function flag(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === 1) return true;
  if (value === "false" || value === 0) return false;
  return null;
}

function traceLevel(g: GenAiFields): TraceLevel | null {
  const sessionId = str(g.sessionId);
  const userId = str(g.userId);
  const promptVersion =
    g.promptVersion === undefined
      ? null
      : str(typeof g.promptVersion === "number" ? String(g.promptVersion) : g.promptVersion);
  const tags = Array.isArray(g.tags) ? g.tags.filter((t): t is string => typeof t === "string") : [];
  if (sessionId === null && userId === null && promptVersion === null && tags.length === 0) return null;
  return {sessionId, userId, promptVersion, tags};
}

/** A `gen_ai.evaluation.result` event's attributes as Feedback from an automated evaluator. */
export function evaluationFeedback(attrs: JsonRecord, traceId: string, spanId: string | null): Feedback {
  return {
    traceId,
    spanId,
    name: str(attrs["gen_ai.evaluation.name"]) ?? "evaluation",
    value: num(attrs["gen_ai.evaluation.score.value"]),
    label: str(attrs["gen_ai.evaluation.score.label"]),
    comment: str(attrs["gen_ai.evaluation.explanation"]) ?? str(attrs["error.type"]),
    source: "eval"
  };
}
