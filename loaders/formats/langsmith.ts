/**
 * @module LangSmith runs: the SDKs' ingest payloads `{post: [run], patch: [update]}` (a run created, then
 * completed), and plain run objects (`{id, trace_id, run_type, inputs, outputs, …}`, one per JSON Lines line, as a
 * run export lists them).
 *
 * - A patch completes the run with its `id`; JS patches carry no id and are matched by `dotted_order`, then by
 *   `trace_id` when the payload holds one run of that trace.
 * - Span: id = run id, trace = `trace_id` (a root run's own id when absent), parent = `parent_run_id`, else the
 *   previous run in `dotted_order` (`<time>Z<run id>` segments joined by "."). `run_type` gives the kind (llm,
 *   tool, chain, retriever, embedding, prompt/parser → span). Times are epoch milliseconds (JS) or ISO strings
 *   (Python). `error` makes the run "error"; a run that ended without one is "ok", as LangSmith shows it.
 * - Model: `extra.metadata.ls_model_name` (the model asked for), else the model the response names. Tokens from
 *   `outputs.usage_metadata`, the run's own `prompt_tokens`/`completion_tokens`, or the OpenAI `usage` block; a
 *   null `usage_metadata` (a stream that reported none) leaves them null.
 * - Messages: an llm run's `inputs` (`messages`, LangChain message shapes, or `prompts`) and `outputs` (`choices`,
 *   `generations`); other runs only when they hold a `messages` list. A tool run is a ToolCall (inputs as
 *   arguments, outputs as result), claiming the model's call of the same name when one is in the payload.
 * - A root run (no parent) also yields its TraceInfo: name, tags, project, session from `thread_id` /
 *   `session_id` / `conversation_id` metadata and user from `user_id`.
 */
import {
  emptyFragment,
  traceInfo,
  type Fragment,
  type Span,
  type SpanKind,
  type Status
} from "../../src/core/schemas/trace.js";
import {NONE, type ChatMessage} from "./chatContent.js";
import {extractChat, type Side} from "./chatMessages.js";
import {RecordError, type FormatReader} from "./reader.js";
import {cursor, RowBuilder} from "./rows.js";
import {isRecord, num, str, timeToMs, toText, type JsonRecord} from "./values.js";

const KINDS = new Map<string, SpanKind>([
  ["llm", "llm"],
  ["tool", "tool"],
  ["chain", "chain"],
  ["retriever", "retriever"],
  ["embedding", "embedding"],
  ["agent", "agent"],
  ["prompt", "span"],
  ["parser", "span"]
]);

function isRun(value: unknown): value is JsonRecord {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    typeof value.run_type === "string" &&
    ("inputs" in value || "outputs" in value)
  );
}

function isPayload(value: unknown): value is JsonRecord {
  return isRecord(value) && (Array.isArray(value.post) || Array.isArray(value.patch)) && !("resourceSpans" in value);
}

/** Merges each patch into the run it completes; patches that match no run stand as runs of their own. */
function mergePayload(payload: JsonRecord): JsonRecord[] {
  const runs: JsonRecord[] = [];
  for (const [i, post] of (Array.isArray(payload.post) ? payload.post : []).entries()) {
    if (!isRecord(post)) throw new RecordError(`post[${i}] is not an object`);
    runs.push({...post});
  }
  for (const [i, patch] of (Array.isArray(payload.patch) ? payload.patch : []).entries()) {
    if (!isRecord(patch)) throw new RecordError(`patch[${i}] is not an object`);
    const target =
      (typeof patch.id === "string" ? runs.find((r) => r.id === patch.id) : undefined) ??
      (typeof patch.dotted_order === "string" ? runs.find((r) => r.dotted_order === patch.dotted_order) : undefined) ??
      (typeof patch.trace_id === "string" ? only(runs.filter((r) => r.trace_id === patch.trace_id)) : undefined);
    if (target) Object.assign(target, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    else runs.push({...patch});
  }
  return runs;
}

function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/** The parent run named by a dotted order: the run id of the second-to-last segment. */
function parentFromDottedOrder(dotted: unknown): string | null {
  if (typeof dotted !== "string") return null;
  const segments = dotted.split(".");
  const parent = segments.length > 1 ? segments[segments.length - 2]! : null;
  return parent === null ? null : str(parent.slice(parent.indexOf("Z") + 1));
}

function tokens(run: JsonRecord, outputs: JsonRecord | null): [number | null, number | null] {
  const usage = outputs?.usage_metadata;
  if (isRecord(usage)) return [num(usage.input_tokens), num(usage.output_tokens)];
  if ("prompt_tokens" in run || "completion_tokens" in run) return [num(run.prompt_tokens), num(run.completion_tokens)];
  const openai = outputs?.usage;
  if (isRecord(openai))
    return [num(openai.prompt_tokens ?? openai.input_tokens), num(openai.completion_tokens ?? openai.output_tokens)];
  const llmOutput = isRecord(outputs?.llm_output) ? outputs.llm_output.token_usage : undefined;
  if (isRecord(llmOutput)) return [num(llmOutput.prompt_tokens), num(llmOutput.completion_tokens)];
  return [null, null];
}

function messagesOf(value: unknown, side: Side, llm: boolean): ChatMessage[] | null {
  if (!isRecord(value)) return null;
  if (!llm) return "messages" in value ? extractChat(value, side) : null;
  if (side === "input" && Array.isArray(value.prompts)) {
    return value.prompts
      .filter((p): p is string => typeof p === "string")
      .map((p) => ({role: "user", name: null, content: p, toolCallId: null, toolCalls: NONE}));
  }
  return extractChat(value, side);
}

function readRun(run: JsonRecord, builder: RowBuilder): void {
  const id = str(run.id);
  if (id === null) throw new RecordError("a run has no id");
  const traceId = str(run.trace_id) ?? (run.parent_run_id ? null : id);
  if (traceId === null) throw new RecordError(`run ${id} has a parent but no trace_id`);
  const runType = str(run.run_type) ?? "chain";
  const kind = KINDS.get(runType) ?? "span";
  const extra = isRecord(run.extra) ? run.extra : {};
  const metadata = isRecord(extra.metadata) ? extra.metadata : {};
  const inputs = isRecord(run.inputs) ? run.inputs : null;
  const outputs = isRecord(run.outputs) ? run.outputs : null;
  const error = run.error === null || run.error === undefined ? null : toText(run.error);
  const endTime = timeToMs(run.end_time);
  const status: Status =
    error !== null || run.status === "error" ? "error" : endTime !== null || run.status === "success" ? "ok" : "unset";
  const [inputTokens, outputTokens] = tokens(run, outputs);
  const span: Span = {
    traceId,
    spanId: id,
    parentSpanId: str(run.parent_run_id) ?? parentFromDottedOrder(run.dotted_order),
    name: str(run.name) ?? runType,
    kind,
    startTime: timeToMs(run.start_time),
    endTime,
    status,
    statusMessage: error,
    inputTokens,
    outputTokens,
    model: str(metadata.ls_model_name) ?? str(outputs?.model) ?? str(inputs?.model),
    costUsd: num(run.total_cost),
    attributes: {
      ...metadata,
      "langsmith.run_type": runType,
      "langsmith.project": run.session_name ?? null,
      "langsmith.dotted_order": run.dotted_order ?? null,
      "langsmith.runtime": extra.runtime ?? null,
      "input.value": inputs === null ? null : toText(inputs),
      "output.value": outputs === null ? null : toText(outputs)
    }
  };
  builder.fragment.spans.push(span);
  const at = cursor();
  const input = messagesOf(inputs, "input", kind === "llm");
  const output = messagesOf(outputs, "output", kind === "llm");
  if (input) builder.messages(traceId, id, input, "input", at, false);
  if (output) builder.messages(traceId, id, output, "output", at, true);
  if (kind === "tool") {
    const name = span.name;
    const args = inputs && "input" in inputs ? inputs.input : inputs;
    const result = outputs && "output" in outputs ? outputs.output : outputs;
    builder.toolCall(
      traceId,
      id,
      {id: builder.claimCall(traceId, name, str(metadata.tool_call_id)), name, arguments: toText(args ?? null)},
      {
        id: null,
        name,
        arguments: null,
        result: toText(result ?? null),
        success: status === "error" ? false : endTime !== null ? true : null,
        error
      }
    );
  }
  if (span.parentSpanId === null) {
    const tags = Array.isArray(run.tags) ? run.tags.filter((t): t is string => typeof t === "string") : [];
    builder.fragment.traces.push(
      traceInfo(traceId, {
        name: span.name,
        tags,
        sessionId: str(metadata.thread_id) ?? str(metadata.session_id) ?? str(metadata.conversation_id),
        userId: str(metadata.user_id),
        metadata: {project: run.session_name ?? null, run_type: runType}
      })
    );
  }
}

export const langsmithReader: FormatReader = {
  format: "langsmith",
  description: "LangSmith runs: SDK payloads {post: [run], patch: [update]} or one run object per line",
  splitArrays: false,
  detect(value) {
    return isPayload(value) || isRun(value);
  },
  read(value: unknown): Fragment {
    let runs: JsonRecord[];
    if (isPayload(value)) runs = mergePayload(value);
    else if (isRun(value)) runs = [value];
    else throw new RecordError("a LangSmith record is {post, patch} or a run with id, run_type and inputs");
    const builder = new RowBuilder(emptyFragment());
    // Parents before children, as dotted orders sort, so a tool run can claim the call its model run made.
    runs.sort((a, b) => String(a.dotted_order ?? "").localeCompare(String(b.dotted_order ?? "")));
    for (const run of runs) readRun(run, builder);
    return builder.finish();
  }
};
