/**
 * @module What a task is given of a case, and the trace an experiment records of the case from the task's answer.
 * Pure: the runner adds ids, times and usage.
 */
import type {DatasetCase} from "../schemas/dataset.js";
import type {ExperimentResult} from "../schemas/experiment.js";
import {TASK_PROTOCOL, type PromptSpec, type TaskInput, type TaskOutput} from "../schemas/experimentTask.js";

/** The case as the task sees it: never its expected output or expected behaviour. */
export function taskInputOf(c: DatasetCase): TaskInput {
  return {
    protocol: TASK_PROTOCOL,
    case: {
      id: c.caseId,
      input: c.input,
      context: c.context,
      kind: c.kind,
      metadata: {
        ...(c.failureMode === null ? {} : {failure_mode: c.failureMode}),
        ...(c.criterion === null ? {} : {criterion: c.criterion}),
        ...(c.sourceTraceId === null ? {} : {source_trace_id: c.sourceTraceId})
      }
    }
  };
}

export interface CaseTranscript {
  messages: {role: string; name: string | null; content: string | null; direction: "input" | "output"}[];
  toolCalls: {name: string; arguments: string | null; result: string | null; success: boolean | null}[];
}

const text = (value: unknown): string | null =>
  value === undefined || value === null ? null : typeof value === "string" ? value : JSON.stringify(value);

/**
 * The case's trace: the conversation the task reports (else the case's input as one user message), then its output
 * as the assistant's last message, unless the reported conversation already ends with it. An error has no output.
 */
export function caseTranscript(input: TaskInput, answer: TaskOutput | null): CaseTranscript {
  const reported = answer?.messages;
  const messages: CaseTranscript["messages"] = reported?.length
    ? reported.map((m) => ({role: m.role, name: m.name ?? null, content: m.content, direction: "input" as const}))
    : input.case.input === null
      ? []
      : [{role: "user", name: null, content: input.case.input, direction: "input"}];
  if (answer) {
    const last = messages.at(-1);
    if (last && last.role === "assistant" && last.content === answer.output) last.direction = "output";
    else messages.push({role: "assistant", name: null, content: answer.output, direction: "output"});
  }
  const toolCalls = (answer?.tool_calls ?? []).map((c) => ({
    name: c.name,
    arguments: text(c.arguments),
    result: text(c.result),
    success: c.success ?? null
  }));
  return {messages, toolCalls};
}

/** The case's messages as plain text, one `role: content` line each, for a prompt's `{{transcript}}`. */
export function transcriptText(input: TaskInput): string {
  return input.case.context.messages
    .filter((m) => m.content !== null && m.content !== "")
    .map((m) => `${m.role}: ${m.content}`)
    .join("\n");
}

/** Fills a prompt spec's messages from the case; a placeholder the case has no value for is left empty. */
export function renderPromptMessages(spec: PromptSpec, input: TaskInput): {role: string; content: string}[] {
  const values: Record<string, string> = {
    input: input.case.input ?? "",
    case_id: input.case.id,
    kind: input.case.kind,
    transcript: transcriptText(input)
  };
  for (const [key, value] of Object.entries(input.case.metadata))
    values[`metadata.${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return spec.messages.map((m) => ({
    role: m.role,
    content: m.content.replace(/\{\{\s*([a-z_][a-z0-9_.]*)\s*\}\}/gi, (_, name: string) => values[name] ?? "")
  }));
}

export interface ExperimentTotals {
  done: number;
  errors: number;
  cached: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

/** Totals over an experiment's results; a total is null when any result's figure is unknown. */
export function experimentTotals(results: readonly ExperimentResult[]): ExperimentTotals {
  const sum = (pick: (r: ExperimentResult) => number | null) =>
    results.reduce<number | null>((total, r) => (total === null || pick(r) === null ? null : total + pick(r)!), 0);
  return {
    done: results.length,
    errors: results.filter((r) => r.status === "error").length,
    cached: results.filter((r) => r.cached).length,
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    costUsd: sum((r) => r.costUsd)
  };
}
