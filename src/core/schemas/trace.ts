/**
 * @module The normalized trace model: what every input format is read into and what the store holds.
 *
 * Unknown values are `null`, never 0: a trace with no token counts has `inputTokens: null`, so an average over
 * traces can tell "not reported" from "used nothing". Times are epoch milliseconds (fractional where the source
 * has nanoseconds), so both Node and the browser can use them without a date library.
 */
import {z} from "zod";

/** The input formats that `plumbline ingest` reads. */
export const FORMATS = [
  "otlp",
  "openinference",
  "langfuse",
  "langsmith",
  "chat-jsonl",
  "tau-bench",
  "who-and-when"
] as const;
export const FormatSchema = z.enum(FORMATS);
export type Format = z.infer<typeof FormatSchema>;

export const StatusSchema = z.enum(["ok", "error", "unset"]);
export type Status = z.infer<typeof StatusSchema>;

/** What a span does, folded from OpenTelemetry GenAI, OpenInference, Langfuse and LangSmith vocabularies. */
export const SpanKindSchema = z.enum(["llm", "tool", "agent", "chain", "retriever", "embedding", "evaluator", "span"]);
export type SpanKind = z.infer<typeof SpanKindSchema>;

const nullableNumber = z.number().finite().nullable();
const nullableString = z.string().nullable();

export const SpanSchema = z.object({
  traceId: z.string().min(1),
  spanId: z.string().min(1),
  parentSpanId: nullableString,
  name: z.string(),
  kind: SpanKindSchema,
  startTime: nullableNumber,
  endTime: nullableNumber,
  status: StatusSchema,
  statusMessage: nullableString,
  model: nullableString,
  inputTokens: nullableNumber,
  outputTokens: nullableNumber,
  costUsd: nullableNumber,
  /** Flattened attributes (`{"gen_ai.request.model": "gpt-4o"}`), kept whole for rules and drill-down. */
  attributes: z.record(z.string(), z.unknown())
});
export type Span = z.infer<typeof SpanSchema>;

export const MessageSchema = z.object({
  traceId: z.string().min(1),
  spanId: nullableString,
  /** Position within the span (or within the trace when `spanId` is null). */
  index: z.number().int().nonnegative(),
  /** Whether the message was sent to the model or produced by it; transcripts without spans say "transcript". */
  direction: z.enum(["input", "output", "transcript"]),
  /** Conversation turn: increments at each user message. */
  turn: z.number().int().nonnegative(),
  role: z.string(),
  /** Who spoke, when the source names agents (multi-agent runs). */
  name: nullableString,
  content: nullableString,
  toolCallId: nullableString
});
export type Message = z.infer<typeof MessageSchema>;

export const ToolCallSchema = z.object({
  traceId: z.string().min(1),
  spanId: nullableString,
  callId: z.string().min(1),
  index: z.number().int().nonnegative(),
  name: z.string(),
  /** Arguments as the model wrote them (usually a JSON string). */
  arguments: nullableString,
  result: nullableString,
  /** `null` when no result was seen. */
  success: z.boolean().nullable(),
  error: nullableString
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const FeedbackSchema = z.object({
  traceId: z.string().min(1),
  spanId: nullableString,
  /** What was measured: "thumbs", "correctness", "reward", "mistake_agent", … */
  name: z.string().min(1),
  value: nullableNumber,
  label: nullableString,
  comment: nullableString,
  /** Who said it: "user", "human", "eval" (an automated evaluator), "dataset". */
  source: z.string().min(1)
});
export type Feedback = z.infer<typeof FeedbackSchema>;

/**
 * What a source says about a trace as a whole. Aggregates (times, tokens, cost, status) left `null` here are
 * derived from the trace's spans by the store, so formats that only emit spans (OTLP) need no trace record.
 */
export const TraceInfoSchema = z.object({
  traceId: z.string().min(1),
  sessionId: nullableString,
  userId: nullableString,
  name: nullableString,
  startTime: nullableNumber,
  endTime: nullableNumber,
  status: StatusSchema.nullable(),
  model: nullableString,
  promptVersion: nullableString,
  inputTokens: nullableNumber,
  outputTokens: nullableNumber,
  costUsd: nullableNumber,
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown())
});
export type TraceInfo = z.infer<typeof TraceInfoSchema>;

/** Everything one input record contributes. A record may touch several traces (an OTLP batch) or one. */
export interface Fragment {
  traces: TraceInfo[];
  spans: Span[];
  messages: Message[];
  toolCalls: ToolCall[];
  feedback: Feedback[];
}

export function emptyFragment(): Fragment {
  return {traces: [], spans: [], messages: [], toolCalls: [], feedback: []};
}

/** A TraceInfo with every optional field unknown; formats spread their known fields over it. */
export function traceInfo(traceId: string, fields: Partial<Omit<TraceInfo, "traceId">> = {}): TraceInfo {
  return {
    traceId,
    sessionId: null,
    userId: null,
    name: null,
    startTime: null,
    endTime: null,
    status: null,
    model: null,
    promptVersion: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    tags: [],
    metadata: {},
    ...fields
  };
}

/** A Span with every optional field unknown. */
export function span(traceId: string, spanId: string, fields: Partial<Omit<Span, "traceId" | "spanId">> = {}): Span {
  return {
    traceId,
    spanId,
    parentSpanId: null,
    name: "",
    kind: "span",
    startTime: null,
    endTime: null,
    status: "unset",
    statusMessage: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes: {},
    ...fields
  };
}
