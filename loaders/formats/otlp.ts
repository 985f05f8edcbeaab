/**
 * @module OTLP/JSON: `ExportTraceServiceRequest` documents (`{resourceSpans: [{resource, scopeSpans: [{scope,
 * spans}]}]}`), whole files or one per line as the OpenTelemetry Collector's file exporter writes them, and
 * `ExportLogsServiceRequest` documents (`resourceLogs`), read for `gen_ai.evaluation.result` events.
 *
 * This is the ingest hot path (a million spans must go through parse, read and the store at 83k spans/s), so it
 * uses plain loops and hand-written type checks, and defers all parsing of message JSON to the GenAI mapping.
 *
 * - Attribute values (`stringValue`, `intValue` as a decimal string, `doubleValue`, `boolValue`, `arrayValue`,
 *   `kvlistValue`, `bytesValue` as base64 text) become plain JSON values in `attributes`. An `intValue` beyond
 *   2^53 stays a string rather than lose digits.
 * - Resource attributes are not copied into every span: they describe the process that emitted the trace, so
 *   the trace's `metadata["otel.resource"]` holds them (flattened), and `metadata["otel.scope"]` the
 *   instrumentation scope's `{name, version}`. Written once per trace instead of once per span, they cost the
 *   store nothing per span.
 * - Message payloads (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`) are moved
 *   out of `attributes` into message rows rather than stored twice; a payload that cannot be read stays in
 *   `attributes` as it came.
 * - Ids are lower-cased hex; base64 ids (protobuf's own JSON mapping) are converted to hex. A span whose parent is
 *   not in the file is kept with its parent id as given.
 * - `*UnixNano` decimal strings become epoch milliseconds by splitting the string (no BigInt); "0" is unknown.
 * - `status.code` 2 is "error" (with `status.message`), 1 "ok", anything else "unset".
 * - Span events named `gen_ai.evaluation.result` become Feedback (source "eval") on that span; events named
 *   `gen_ai.client.inference.operation.details` contribute their messages as if they were span attributes.
 * - A TraceInfo is emitted for traces whose spans carry trace-level values (session, user, prompt version, tags)
 *   or a resource; everything else about a trace is derived by the store from its spans.
 */
import {
  emptyFragment,
  traceInfo,
  type Feedback,
  type Fragment,
  type Span,
  type Status,
  type TraceInfo
} from "../../src/core/schemas/trace.js";
import {
  applyAttribute,
  evaluationFeedback,
  finishGenAi,
  newGenAi,
  resetGenAi,
  type GenAiFields,
  type TraceLevel
} from "./genaiAttributes.js";
import {anyValue, nanosToMs, otlpId} from "./otlpValues.js";
import {RecordError, type FormatReader} from "./reader.js";
import {RowBuilder} from "./rows.js";
import {isRecord, str, type JsonRecord} from "./values.js";

interface ReadState {
  builder: RowBuilder;
  /** One GenAI accumulator for the record, cleared for each span. */
  g: GenAiFields;
  traces: Map<string, TraceInfo> | null;
  /** Spans read so far in this record, for error messages. */
  n: number;
}

/**
 * Flattens an OTLP attribute list into `into`, feeding each attribute to the GenAI mapping when given. `where`
 * names the owner for error messages: a span's ordinal, so the hot path builds no string unless one is thrown.
 */
export function flattenAttributes(
  list: unknown,
  into: JsonRecord,
  g: GenAiFields | null,
  where: number | string
): JsonRecord {
  if (list === undefined || list === null) return into;
  if (!Array.isArray(list)) throw new RecordError(`${place(where)}: attributes is not an array`);
  for (let i = 0; i < list.length; i++) {
    const kv: unknown = list[i];
    if (typeof kv !== "object" || kv === null)
      throw new RecordError(`${place(where)}: attribute ${i} is not an object`);
    const key = (kv as JsonRecord).key;
    if (typeof key !== "string") throw new RecordError(`${place(where)}: attribute ${i} has no string key`);
    const value = anyValue((kv as JsonRecord).value);
    // A message payload goes to the GenAI mapping only; finishGenAi puts it back if it cannot be read.
    if (g !== null) {
      if (!applyAttribute(g, key, value)) into[key] = value;
    } else into[key] = value;
  }
  return into;
}

function place(where: number | string): string {
  return typeof where === "string" ? where : `span ${where}`;
}

function readSpan(raw: unknown, state: ReadState, resource: JsonRecord | null, scope: JsonRecord | null): void {
  const n = state.n++;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new RecordError(`span ${n}: not an object`);
  const s = raw as JsonRecord;
  const traceId = otlpId(s.traceId, n, "traceId");
  const spanId = otlpId(s.spanId, n, "spanId");
  const parent = s.parentSpanId;
  const parentSpanId =
    parent === undefined || parent === null || parent === "" ? null : otlpId(parent, n, "parentSpanId");
  const name = s.name;
  if (name !== undefined && typeof name !== "string") throw new RecordError(`span ${n}: name is not a string`);
  const g = resetGenAi(state.g);
  const attributes = flattenAttributes(s.attributes, {}, g, n);
  if (resource !== null || scope !== null) describeTrace(state, traceId, resource, scope);
  let status: Status = "unset";
  let statusMessage: string | null = null;
  const st = s.status;
  if (st !== undefined && st !== null) {
    if (typeof st !== "object") throw new RecordError(`span ${n}: status is not an object`);
    const code = (st as JsonRecord).code;
    if (code === 2 || code === "STATUS_CODE_ERROR") {
      status = "error";
      statusMessage = str((st as JsonRecord).message);
    } else if (code === 1 || code === "STATUS_CODE_OK") status = "ok";
  }
  const row: Span = {
    traceId,
    spanId,
    parentSpanId,
    name: name ?? "",
    kind: "span",
    startTime: nanosToMs(s.startTimeUnixNano, n, "startTimeUnixNano"),
    endTime: nanosToMs(s.endTimeUnixNano, n, "endTimeUnixNano"),
    status,
    statusMessage,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes
  };
  const fragment = state.builder.fragment;
  fragment.spans.push(row);
  if (s.events !== undefined) readEvents(s.events, row, g, fragment.feedback, n);
  const level = finishGenAi(g, row, state.builder);
  if (level !== null) addTraceLevel(state, traceId, level);
}

function readEvents(events: unknown, row: Span, g: GenAiFields, feedback: Feedback[], n: number): void {
  if (!Array.isArray(events)) throw new RecordError(`span ${n}: events is not an array`);
  for (let i = 0; i < events.length; i++) {
    const e: unknown = events[i];
    if (!isRecord(e)) throw new RecordError(`span ${n}: event ${i} is not an object`);
    if (e.name === "gen_ai.evaluation.result") {
      feedback.push(
        evaluationFeedback(flattenAttributes(e.attributes, {}, null, `span ${n} event ${i}`), row.traceId, row.spanId)
      );
    } else if (e.name === "gen_ai.client.inference.operation.details") {
      flattenAttributes(e.attributes, {}, g, `span ${n} event ${i}`);
    } else if (e.name === "exception" && row.statusMessage === null && row.status === "error") {
      row.statusMessage = str(flattenAttributes(e.attributes, {}, null, `span ${n} event ${i}`)["exception.message"]);
    }
  }
}

/** Records the resource and scope a trace's spans came from, once per trace and record. */
function describeTrace(state: ReadState, traceId: string, resource: JsonRecord | null, scope: JsonRecord | null): void {
  const traces = (state.traces ??= new Map());
  let info = traces.get(traceId);
  if (!info) traces.set(traceId, (info = traceInfo(traceId)));
  if (resource !== null && info.metadata["otel.resource"] === undefined) info.metadata["otel.resource"] = resource;
  if (scope !== null && info.metadata["otel.scope"] === undefined) info.metadata["otel.scope"] = scope;
}

function addTraceLevel(state: ReadState, traceId: string, level: TraceLevel): void {
  const traces = (state.traces ??= new Map());
  const known = traces.get(traceId);
  if (!known) {
    traces.set(
      traceId,
      traceInfo(traceId, {
        sessionId: level.sessionId,
        userId: level.userId,
        promptVersion: level.promptVersion,
        tags: level.tags
      })
    );
    return;
  }
  known.sessionId ??= level.sessionId;
  known.userId ??= level.userId;
  known.promptVersion ??= level.promptVersion;
  for (const tag of level.tags) if (!known.tags.includes(tag)) known.tags.push(tag);
}

function readResourceSpans(list: unknown, state: ReadState): void {
  if (!Array.isArray(list)) throw new RecordError("resourceSpans is not an array");
  for (let r = 0; r < list.length; r++) {
    const rs: unknown = list[r];
    if (!isRecord(rs)) throw new RecordError(`resourceSpans[${r}] is not an object`);
    const resourceAttrs = isRecord(rs.resource)
      ? flattenAttributes(rs.resource.attributes, {}, null, `resourceSpans[${r}].resource`)
      : null;
    const resource = resourceAttrs !== null && Object.keys(resourceAttrs).length > 0 ? resourceAttrs : null;
    const scopes = rs.scopeSpans ?? rs.instrumentationLibrarySpans;
    if (scopes === undefined) continue;
    if (!Array.isArray(scopes)) throw new RecordError(`resourceSpans[${r}].scopeSpans is not an array`);
    for (let k = 0; k < scopes.length; k++) {
      const ss: unknown = scopes[k];
      if (!isRecord(ss)) throw new RecordError(`resourceSpans[${r}].scopeSpans[${k}] is not an object`);
      const sc = ss.scope ?? ss.instrumentationLibrary;
      const scope = isRecord(sc) && typeof sc.name === "string" ? {name: sc.name, version: str(sc.version)} : null;
      const spans = ss.spans;
      if (spans === undefined) continue;
      if (!Array.isArray(spans)) throw new RecordError(`resourceSpans[${r}].scopeSpans[${k}].spans is not an array`);
      for (let i = 0; i < spans.length; i++) readSpan(spans[i], state, resource, scope);
    }
  }
}

/** Evaluation events sent as logs: kept when they name the trace and span they judge. */
function readResourceLogs(list: unknown, fragment: Fragment): void {
  if (!Array.isArray(list)) throw new RecordError("resourceLogs is not an array");
  for (const rl of list) {
    if (!isRecord(rl)) throw new RecordError("resourceLogs entry is not an object");
    const scopes = rl.scopeLogs;
    if (!Array.isArray(scopes)) continue;
    for (const sl of scopes) {
      if (!isRecord(sl) || !Array.isArray(sl.logRecords)) continue;
      for (const [i, log] of sl.logRecords.entries()) {
        if (!isRecord(log)) throw new RecordError(`logRecord ${i} is not an object`);
        const attrs = flattenAttributes(log.attributes, {}, null, `logRecord ${i}`);
        const eventName = str(log.eventName) ?? str(attrs["event.name"]);
        if (eventName !== "gen_ai.evaluation.result" || typeof log.traceId !== "string" || log.traceId === "") continue;
        const spanId =
          typeof log.spanId === "string" && log.spanId !== "" ? otlpId(log.spanId, i, "spanId", "logRecord") : null;
        fragment.feedback.push(evaluationFeedback(attrs, otlpId(log.traceId, i, "traceId", "logRecord"), spanId));
      }
    }
  }
}

export const otlpReader: FormatReader = {
  format: "otlp",
  description:
    "OTLP/JSON trace requests ({resourceSpans: [...]}, a document or one per line), and logs carrying gen_ai.evaluation.result events",
  splitArrays: false,
  detect(value) {
    return isRecord(value) && (Array.isArray(value.resourceSpans) || Array.isArray(value.resourceLogs));
  },
  read(value: unknown): Fragment {
    if (!isRecord(value)) throw new RecordError("an OTLP request must be a JSON object");
    const state: ReadState = {builder: new RowBuilder(emptyFragment()), g: newGenAi(), traces: null, n: 0};
    if (value.resourceSpans === undefined && value.resourceLogs === undefined) {
      throw new RecordError("an OTLP request needs resourceSpans or resourceLogs");
    }
    if (value.resourceSpans !== undefined) readResourceSpans(value.resourceSpans, state);
    if (value.resourceLogs !== undefined) readResourceLogs(value.resourceLogs, state.builder.fragment);
    const fragment = state.builder.finish();
    if (state.traces !== null) for (const t of state.traces.values()) fragment.traces.push(t);
    return fragment;
  }
};
