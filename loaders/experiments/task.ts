/**
 * @module What the runner asks of a task, whatever its kind: one attempt on one case. The runner owns retries,
 * the per-attempt timeout, the cache and the budget; a task only says what one attempt came to.
 */
import type {ExperimentTask} from "../../src/core/schemas/experiment.js";
import {TaskOutputSchema, type TaskInput, type TaskOutput} from "../../src/core/schemas/experimentTask.js";
import {issueText} from "../../src/core/schemas/issues.js";
import type {Attempt} from "../judge/retry.js";
import {sha256Hex} from "../formats/hash.js";

export interface TaskUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

export type TaskResult = {ok: true; answer: TaskOutput; usage: TaskUsage} | {ok: false; error: string};

/** Where the case's trace is, for a task that exports its own spans: the W3C trace context and the names. */
export interface CaseLink {
  experiment: string;
  caseId: string;
  traceId: string;
  rootSpanId: string;
}

export interface Task {
  description: ExperimentTask;
  /** One attempt; `signal` aborts on Ctrl-C and at the attempt's timeout. */
  attempt(input: TaskInput, link: CaseLink, signal: AbortSignal): Promise<Attempt<TaskResult>>;
}

/** The W3C `traceparent` naming the case's root span, sampled. */
export const traceparentOf = (link: CaseLink) => `00-${link.traceId}-${link.rootSpanId}-01`;

/**
 * The case's trace id, 32 hex digits as OTLP's: the same for the same experiment and case, so a resumed or retried
 * case and every span the task exports land on one trace.
 */
export function caseLink(experiment: string, caseId: string): CaseLink {
  const digest = sha256Hex(`plumbline.experiment\u0000${experiment}\u0000${caseId}`);
  return {experiment, caseId, traceId: digest.slice(0, 32), rootSpanId: digest.slice(32, 48)};
}

/** A task's answer checked against the protocol: a valid answer, or the case's error. */
export function readAnswer(value: unknown, usage: TaskUsage): TaskResult {
  if (value && typeof value === "object" && "error" in value && typeof (value as {error: unknown}).error === "string")
    return {ok: false, error: `the task answered an error: ${(value as {error: string}).error}`};
  const parsed = TaskOutputSchema.safeParse(value);
  if (!parsed.success)
    return {ok: false, error: `the answer breaks plumbline.task/1: ${issueText(parsed.error, "answer")}`};
  const reported = parsed.data.usage;
  return {
    ok: true,
    answer: parsed.data,
    usage: {
      inputTokens: reported?.input_tokens ?? usage.inputTokens,
      outputTokens: reported?.output_tokens ?? usage.outputTokens,
      costUsd: reported?.cost_usd ?? usage.costUsd
    }
  };
}

export const noUsage: TaskUsage = {inputTokens: null, outputTokens: null, costUsd: null};
