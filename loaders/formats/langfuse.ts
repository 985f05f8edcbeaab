/**
 * @module Langfuse trace exports: `{trace: {id, name, timestamp, sessionId, userId, tags, metadata, scores, …},
 * observations: [{id, traceId, parentObservationId, type, name, startTime, endTime, model, input, output,
 * metadata, usageDetails, costDetails, level, statusMessage, …}]}` (also a bare trace whose `observations` hold
 * the full observations). One export is one record and one trace.
 *
 * - Observations are spans (id and parent as given); `type` gives the kind (GENERATION → llm, AGENT, TOOL, CHAIN,
 *   RETRIEVER, EMBEDDING, EVALUATOR as named, SPAN/EVENT/GUARDRAIL → span); level ERROR is status "error" with
 *   `statusMessage`, any other level "unset". Tokens come from `usageDetails.input/output` and cost from
 *   `costDetails.total` (or the sum of its parts) only when present: the flat `inputUsage`/`totalCost` fields say 0
 *   for "not reported" and are ignored. `metadata.attributes` (the OpenTelemetry attributes Langfuse received) are
 *   the span's attributes; the rest of the metadata is `attributes["langfuse.metadata"]`, and the raw input and
 *   output text are `input.value` / `output.value`.
 * - `input` / `output` are JSON inside JSON (parsed twice), sometimes objects, arrays, null or plain text. Messages
 *   are what `extractChat` reads from them — the same shapes Langfuse's own ChatML adapters read; where those
 *   find no messages (plain text, a tool's arguments), no message is stored for that side.
 * - ToolCall rows: the calls LLM observations produced (their outputs), merged by call id with the TOOL
 *   observation that executed them, whose input and output are the arguments and result. A SPAN whose attributes
 *   carry `tool.name` is a tool execution too. An execution without a known call id claims the earliest
 *   unexecuted call of the same tool name (OpenAI Agents names none; Gemini's calls carry none).
 * - `trace.scores` are Feedback; `source` is lower-cased ("EVAL" → "eval"), and "annotation" reads "human".
 * - TraceInfo: session, user, name, tags, start (`timestamp`), prompt version (`<promptName>@<promptVersion>` of
 *   the first observation that used a managed prompt), and metadata with environment, release and version.
 */
import {
  emptyFragment,
  traceInfo,
  type Feedback,
  type Fragment,
  type Span,
  type SpanKind
} from "../../src/core/schemas/trace.js";
import {extractChat} from "./chatMessages.js";
import {RecordError, type FormatReader} from "./reader.js";
import {cursor, RowBuilder} from "./rows.js";
import {isRecord, num, parseJsonText, str, timeToMs, toText, type JsonRecord} from "./values.js";

const KINDS = new Map<string, SpanKind>([
  ["GENERATION", "llm"],
  ["AGENT", "agent"],
  ["TOOL", "tool"],
  ["CHAIN", "chain"],
  ["RETRIEVER", "retriever"],
  ["EMBEDDING", "embedding"],
  ["EVALUATOR", "evaluator"],
  ["SPAN", "span"],
  ["EVENT", "span"],
  ["GUARDRAIL", "span"]
]);

const TOOL_CALL_ID_KEYS = ["gen_ai.tool.call.id", "tool_call.id", "ai.toolCall.id"];
const TOOL_NAME_KEYS = ["gen_ai.tool.name", "tool.name", "ai.toolCall.name"];

/**
 * A SPAN whose OpenTelemetry attributes name a tool (`tool.name`, as agno's tool spans do) is a tool execution
 * when it is one: it names the call it answers or carries the arguments. Progress and status observations that
 * merely repeat the tool's name (EVENTs, or SPANs with neither) are not calls.
 */
function kindOf(type: string, otel: JsonRecord, o: JsonRecord): SpanKind {
  const kind = KINDS.get(type) ?? "span";
  if (
    type === "SPAN" &&
    pick(otel, TOOL_NAME_KEYS) !== null &&
    (pick(otel, TOOL_CALL_ID_KEYS) !== null || ioText(o.input) !== null)
  )
    return "tool";
  return kind;
}

function split(value: unknown): {trace: JsonRecord; observations: unknown[]} | null {
  if (!isRecord(value)) return null;
  if (isRecord(value.trace) && Array.isArray(value.observations))
    return {trace: value.trace, observations: value.observations};
  if (
    typeof value.id === "string" &&
    Array.isArray(value.observations) &&
    value.observations.every((o) => isRecord(o) && "type" in o)
  ) {
    return {trace: value, observations: value.observations};
  }
  return null;
}

/** Tokens or cost from a details object, null when the key is absent (never the flat 0 Langfuse defaults to). */
function detail(details: unknown, key: string): number | null {
  return isRecord(details) && key in details ? num(details[key]) : null;
}

function cost(details: unknown): number | null {
  if (!isRecord(details)) return null;
  const total = detail(details, "total");
  if (total !== null) return total;
  let sum: number | null = null;
  for (const v of Object.values(details)) {
    const n = num(v);
    if (n !== null) sum = (sum ?? 0) + n;
  }
  return sum;
}

/** Tool arguments or results as text: JSON-encoded strings are unwrapped once, other JSON text kept as written. */
function ioText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") return toText(value);
  const parsed = parseJsonText(value);
  return typeof parsed === "string" ? parsed : value;
}

function pick(attrs: JsonRecord, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = str(attrs[k]);
    if (v !== null) return v;
  }
  return null;
}

function readObservation(o: unknown, i: number, traceId: string, builder: RowBuilder): void {
  if (!isRecord(o)) throw new RecordError(`observation ${i} is not an object`);
  const id = str(o.id);
  if (id === null) throw new RecordError(`observation ${i} has no id`);
  if (o.traceId !== undefined && o.traceId !== null && o.traceId !== traceId) {
    throw new RecordError(`observation ${id} belongs to trace ${String(o.traceId)}, not ${traceId}`);
  }
  const type = typeof o.type === "string" ? o.type.toUpperCase() : "SPAN";
  const metadata = parseJsonText(o.metadata);
  const otel = isRecord(metadata) && isRecord(metadata.attributes) ? metadata.attributes : {};
  const attributes: JsonRecord = {...otel, "langfuse.observation.type": type};
  if (isRecord(metadata)) {
    const {attributes: _otel, ...rest} = metadata;
    if (Object.keys(rest).length) attributes["langfuse.metadata"] = rest;
  } else if (metadata !== null && metadata !== undefined) attributes["langfuse.metadata"] = metadata;
  if (o.input !== null && o.input !== undefined) attributes["input.value"] = toText(o.input);
  if (o.output !== null && o.output !== undefined) attributes["output.value"] = toText(o.output);
  if (o.modelParameters !== null && o.modelParameters !== undefined)
    attributes["langfuse.modelParameters"] = o.modelParameters;
  const error = o.level === "ERROR";
  const row: Span = {
    traceId,
    spanId: id,
    parentSpanId: str(o.parentObservationId),
    name: str(o.name) ?? "",
    kind: kindOf(type, otel, o),
    startTime: timeToMs(o.startTime),
    endTime: timeToMs(o.endTime),
    status: error ? "error" : "unset",
    statusMessage: str(o.statusMessage),
    model: str(o.model),
    inputTokens: detail(o.usageDetails, "input"),
    outputTokens: detail(o.usageDetails, "output"),
    costUsd: cost(o.costDetails),
    attributes
  };
  builder.fragment.spans.push(row);
  const input = o.input === null || o.input === undefined ? null : extractChat(parseJsonText(o.input), "input");
  const output = o.output === null || o.output === undefined ? null : extractChat(parseJsonText(o.output), "output");
  const at = cursor();
  if (input) builder.messages(traceId, id, input, "input", at, false);
  if (output) builder.messages(traceId, id, output, "output", at, true);
  if (row.kind === "tool") {
    const name = pick(otel, TOOL_NAME_KEYS) ?? row.name;
    const callId = builder.claimCall(traceId, name, pick(otel, TOOL_CALL_ID_KEYS));
    builder.toolCall(
      traceId,
      id,
      {id: callId, name, arguments: ioText(o.input)},
      {
        id: null,
        name,
        arguments: null,
        result: ioText(o.output),
        success: !error,
        error: error ? (row.statusMessage ?? "error") : null
      }
    );
  }
}

function rank(o: unknown): number {
  if (!isRecord(o)) return 1;
  const type = typeof o.type === "string" ? o.type.toUpperCase() : "";
  if (type === "GENERATION") return 0;
  const metadata = parseJsonText(o.metadata);
  const otel = isRecord(metadata) && isRecord(metadata.attributes) ? metadata.attributes : {};
  return kindOf(type, otel, o) === "tool" ? 2 : 1;
}

function score(s: unknown, traceId: string): Feedback | null {
  if (!isRecord(s) || str(s.name) === null) return null;
  const source = (str(s.source) ?? "api").toLowerCase();
  const label = str(s.stringValue) ?? (typeof s.value === "string" ? s.value : null);
  return {
    traceId,
    spanId: str(s.observationId),
    name: s.name as string,
    value: num(s.value),
    label,
    comment: str(s.comment),
    source: source === "annotation" ? "human" : source
  };
}

export const langfuseReader: FormatReader = {
  format: "langfuse",
  description: "Langfuse trace exports ({trace, observations}, one per file or line)",
  splitArrays: false,
  detect(value) {
    return split(value) !== null;
  },
  read(value: unknown): Fragment {
    const parts = split(value);
    if (parts === null) throw new RecordError("a Langfuse export needs {trace, observations}");
    const {trace, observations} = parts;
    const traceId = str(trace.id);
    if (traceId === null) throw new RecordError("trace.id is missing");
    const builder = new RowBuilder(emptyFragment());
    // LLM calls first, tool executions last, each in start order: a call's row then belongs to the generation
    // that made it (not to an enclosing span whose output repeats it), and executions claim calls in order.
    const ordered = observations.map((o, i) => ({
      o,
      i,
      rank: rank(o),
      t: isRecord(o) ? (timeToMs(o.startTime) ?? Infinity) : Infinity
    }));
    ordered.sort((a, b) => a.rank - b.rank || a.t - b.t || a.i - b.i);
    for (const {o, i} of ordered) readObservation(o, i, traceId, builder);
    const fragment = builder.finish();
    const prompt = observations.find(
      (o) => isRecord(o) && o.promptVersion !== null && o.promptVersion !== undefined
    ) as JsonRecord | undefined;
    const promptVersion = prompt ? `${str(prompt.promptName) ?? "prompt"}@${String(prompt.promptVersion)}` : null;
    const metadata = parseJsonText(trace.metadata);
    fragment.traces.push(
      traceInfo(traceId, {
        sessionId: str(trace.sessionId),
        userId: str(trace.userId),
        name: str(trace.name),
        startTime: timeToMs(trace.timestamp),
        promptVersion,
        tags: Array.isArray(trace.tags) ? trace.tags.filter((t): t is string => typeof t === "string") : [],
        metadata: {
          ...(isRecord(metadata) ? metadata : metadata === null || metadata === undefined ? {} : {value: metadata}),
          ...(trace.environment !== undefined ? {environment: trace.environment} : {}),
          ...(trace.release !== undefined ? {release: trace.release} : {}),
          ...(trace.version !== undefined ? {version: trace.version} : {})
        }
      })
    );
    const scores = Array.isArray(trace.scores)
      ? trace.scores
      : isRecord(value) && Array.isArray(value.scores)
        ? value.scores
        : [];
    for (const s of scores) {
      const f = score(s, traceId);
      if (f) fragment.feedback.push(f);
    }
    return fragment;
  }
};
