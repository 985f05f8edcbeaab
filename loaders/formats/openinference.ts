/**
 * @module Spans that arrive outside OTLP: flat attribute maps (`{"openinference.span.kind": "LLM",
 * "llm.input_messages.0.message.role": "user", …}` or the same call under `gen_ai.*` names), Arize Phoenix span
 * rows (`context.trace_id`, `attributes.*` columns), and Vercel AI SDK spans as captured from its tracer
 * (`{name, spanContext: {traceId, spanId}, attributes, status: {code}, events, startTime: [s, ns], endTime}`,
 * usually a top-level array, split into one record per span; or an object grouping them by operation name,
 * `{"ai.generateText": [spans], "ai.generateText.doGenerate": [spans], …}`, read as all its spans).
 *
 * Attributes go through the same GenAI/OpenInference/Vercel mapping as OTLP spans (`genaiAttributes.ts`).
 * A bare attribute map has no ids: its trace and span id are the FNV-1a 64 hash of the record's text, so reading
 * the same map twice gives the same span. Vercel spans carry no parent ids; a `*.doGenerate` / `*.doStream` span
 * stays a root of its own trace id unless the capture names a parent.
 */
import {emptyFragment, traceInfo, type Fragment, type Span, type Status} from "../../src/core/schemas/trace.js";
import {applyAttribute, evaluationFeedback, finishGenAi, newGenAi, type TraceLevel} from "./genaiAttributes.js";
import {fnv1a64} from "./hash.js";
import {RecordError, type FormatReader, type RecordContext} from "./reader.js";
import {RowBuilder} from "./rows.js";
import {isRecord, str, timeToMs, type JsonRecord} from "./values.js";

const ATTRIBUTE_PREFIXES = [
  "openinference.",
  "llm.",
  "gen_ai.",
  "ai.",
  "input.value",
  "output.value",
  "tool.",
  "attributes."
];

/** A flat attribute map: an object whose keys are attribute names of the conventions this reader maps. */
function isAttributeMap(value: unknown): value is JsonRecord {
  if (!isRecord(value) || "resourceSpans" in value || "spanContext" in value) return false;
  let n = 0;
  for (const key in value) {
    if (ATTRIBUTE_PREFIXES.some((p) => key.startsWith(p))) return true;
    if (++n > 200) break;
  }
  return false;
}

function isVercelSpan(value: unknown): value is JsonRecord {
  return (
    isRecord(value) &&
    isRecord(value.spanContext) &&
    typeof value.spanContext.traceId === "string" &&
    isRecord(value.attributes)
  );
}

/** Vercel spans grouped by operation name: every value an array, the first non-empty one holding a span. */
function isGroupedSpans(value: unknown): value is Record<string, unknown[]> {
  if (!isRecord(value)) return false;
  let span = false;
  for (const key in value) {
    const list = value[key];
    if (!Array.isArray(list)) return false;
    if (!span && list.length > 0) {
      if (!isVercelSpan(list[0])) return false;
      span = true;
    }
  }
  return span;
}

/** Reads a list of Vercel spans given as one record, failing on the first element that is not one. */
function readSpanList(list: readonly unknown[], where: string, all: Fragment): void {
  for (const [i, s] of list.entries()) {
    if (!isVercelSpan(s))
      throw new RecordError(`${where}span ${i}: not a Vercel AI SDK span (no spanContext or attributes)`);
    const f = readVercelSpan(s, `${where}span ${i}`);
    all.traces.push(...f.traces);
    all.spans.push(...f.spans);
    all.messages.push(...f.messages);
    all.toolCalls.push(...f.toolCalls);
    all.feedback.push(...f.feedback);
  }
}

function statusOf(code: unknown): Status {
  if (code === 2 || code === "ERROR" || code === "STATUS_CODE_ERROR") return "error";
  if (code === 1 || code === "OK" || code === "STATUS_CODE_OK") return "ok";
  return "unset";
}

function finishSpan(row: Span, attrs: JsonRecord, builder: RowBuilder): TraceLevel | null {
  const g = newGenAi();
  for (const key in attrs) applyAttribute(g, key, attrs[key]);
  return finishGenAi(g, row, builder);
}

function emit(builder: RowBuilder, traceId: string, level: TraceLevel | null): Fragment {
  const fragment = builder.finish();
  if (level !== null) fragment.traces.push(traceInfo(traceId, level));
  return fragment;
}

function readVercelSpan(s: JsonRecord, where: string): Fragment {
  const ctx = s.spanContext as JsonRecord;
  const traceId = str(ctx.traceId)?.toLowerCase();
  const spanId = str(ctx.spanId)?.toLowerCase();
  if (!traceId || !spanId) throw new RecordError(`${where}: spanContext needs traceId and spanId strings`);
  if (s.name !== undefined && typeof s.name !== "string") throw new RecordError(`${where}: name is not a string`);
  const parentContext = isRecord(s.parentSpanContext) ? s.parentSpanContext.spanId : undefined;
  const parent = str(s.parentSpanId) ?? str(parentContext);
  const status = isRecord(s.status) ? s.status : {};
  const attributes = s.attributes as JsonRecord;
  const row: Span = {
    traceId,
    spanId,
    parentSpanId: parent?.toLowerCase() ?? null,
    name: (s.name as string | undefined) ?? "",
    kind: "span",
    startTime: timeToMs(s.startTime),
    endTime: timeToMs(s.endTime),
    status: statusOf(status.code),
    statusMessage: str(status.message),
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes
  };
  const builder = new RowBuilder(emptyFragment());
  builder.fragment.spans.push(row);
  if (Array.isArray(s.events)) {
    for (const e of s.events) {
      if (isRecord(e) && e.name === "gen_ai.evaluation.result" && isRecord(e.attributes)) {
        builder.fragment.feedback.push(evaluationFeedback(e.attributes, traceId, spanId));
      }
    }
  }
  return emit(builder, traceId, finishSpan(row, attributes, builder));
}

function readAttributeMap(map: JsonRecord, context: RecordContext): Fragment {
  // Phoenix span rows put attributes under `attributes.` and ids under `context.`; plain maps are all attributes.
  const attributes: JsonRecord = {};
  for (const key in map) {
    if (key.startsWith("attributes.")) attributes[key.slice(11)] = map[key];
    else if (!key.startsWith("context.")) attributes[key] = map[key];
  }
  const hash = fnv1a64(context.text);
  const traceId = str(map["context.trace_id"])?.toLowerCase() ?? hash;
  const spanId = str(map["context.span_id"])?.toLowerCase() ?? hash;
  const row: Span = {
    traceId,
    spanId,
    parentSpanId: str(map.parent_id)?.toLowerCase() ?? null,
    name: str(map.name) ?? "",
    kind: "span",
    startTime: timeToMs(map.start_time),
    endTime: timeToMs(map.end_time),
    status: statusOf(map.status_code),
    statusMessage: str(map.status_message),
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes
  };
  const builder = new RowBuilder(emptyFragment());
  builder.fragment.spans.push(row);
  const level = finishSpan(row, attributes, builder);
  // A map without a name is named the way GenAI spans are: "<operation> <model>", or by its kind.
  if (row.name === "")
    row.name = [str(attributes["gen_ai.operation.name"]) ?? row.kind, row.model].filter(Boolean).join(" ");
  return emit(builder, traceId, level);
}

export const openinferenceReader: FormatReader = {
  format: "openinference",
  description:
    "Span attribute maps (OpenInference llm.*, GenAI gen_ai.*, Phoenix span rows) and Vercel AI SDK span arrays",
  splitArrays: true,
  detect(value) {
    if (Array.isArray(value)) return value.length > 0 && isVercelSpan(value[0]);
    return isVercelSpan(value) || isGroupedSpans(value) || isAttributeMap(value);
  },
  read(value: unknown, context: RecordContext): Fragment {
    if (isVercelSpan(value)) return readVercelSpan(value, `span ${context.ordinal}`);
    if (Array.isArray(value)) {
      // A whole array given as one record (a JSON Lines line holding a capture) reads as its spans together.
      const all = emptyFragment();
      readSpanList(value, "", all);
      return all;
    }
    if (isGroupedSpans(value)) {
      const all = emptyFragment();
      for (const key in value) readSpanList(value[key]!, `${key} `, all);
      return all;
    }
    if (isRecord(value) && isRecord(value.spanContext))
      throw new RecordError("spanContext needs traceId and spanId strings, and attributes an object");
    if (isRecord(value) && Object.values(value).every((v) => Array.isArray(v) && v.some(isRecord))) {
      throw new RecordError(
        "an object whose values are lists of objects is not a span attribute map; Vercel AI SDK spans grouped by operation name need {name, spanContext: {traceId, spanId}, attributes} in each list"
      );
    }
    if (!isRecord(value)) throw new RecordError("a span attribute map must be a JSON object");
    return readAttributeMap(value, context);
  }
};
