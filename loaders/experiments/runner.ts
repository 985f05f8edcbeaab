/**
 * @module An experiment run: a task over every case of a dataset version, with the judge runner's pool and retry
 * policy, a timeout per attempt, a cache keyed by (task version, case content), a cost budget and resumption:
 * results are written as they come, so a run that is interrupted continues where it stopped.
 *
 * A case ends with a result row and its trace, `ok` with the task's output or `error` with the reason (a task's
 * failure is never an output). A case in flight when the run is interrupted, or left once the budget is spent,
 * gets no row at all, and a resumed run takes it up. The store is passed in, so the benchmark runs on memory.
 */
import {caseTranscript, taskInputOf} from "../../src/core/experiments/caseTrace.js";
import type {DatasetCase} from "../../src/core/schemas/dataset.js";
import type {ExperimentResult} from "../../src/core/schemas/experiment.js";
import type {TaskInput} from "../../src/core/schemas/experimentTask.js";
import {sha256Hex} from "../formats/hash.js";
import {runPool} from "../judge/pool.js";
import {withRetries, type RetryPolicy} from "../judge/retry.js";
import type {ExperimentTrace, TaskCacheEntry} from "../store/experiments.js";
import {caseLink, type Task, type TaskResult, type TaskUsage} from "./task.js";

export interface FinishedCase {
  result: ExperimentResult;
  trace: ExperimentTrace;
}

export interface ExperimentStore {
  /** The cases of the experiment that already have an ok result (errors are run again). */
  finished(experiment: string): Promise<Set<string>>;
  cached(keys: readonly string[]): Promise<Map<string, TaskCacheEntry>>;
  write(cases: readonly FinishedCase[], cache: readonly TaskCacheEntry[]): Promise<void>;
}

export interface ExperimentProgress {
  done: number;
  total: number;
  errors: number;
  cached: number;
  costUsd: number;
}

export interface RunExperimentOptions {
  experiment: string;
  cases: readonly DatasetCase[];
  task: Task;
  store: ExperimentStore;
  concurrency?: number;
  /** Per attempt (default 60 s). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Start no case once this much (USD, fresh calls only) is spent; the rest is left for a resumption. */
  maxCostUsd?: number;
  /** Read the cache (default true); answers are written to it either way. */
  useCache?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ExperimentProgress) => void;
  /** Finished cases buffered before a write. */
  batchSize?: number;
  now?: () => Date;
}

export interface ExperimentRunSummary {
  total: number;
  /** Cases with an ok result from an earlier run of this experiment (a resumption). */
  resumed: number;
  /** Cases run by the task in this run (not from the cache). */
  ran: number;
  cached: number;
  ok: number;
  errors: number;
  /** Cases left without a result: in flight at an interruption, or not started once the budget was spent. */
  left: number;
  /** What this run's calls cost as far as known (a call of unknown cost counts nothing), and their tokens. */
  costUsd: number;
  unknownCost: number;
  inputTokens: number;
  outputTokens: number;
  budgetSpent: boolean;
  interrupted: boolean;
}

export const caseHash = (input: TaskInput) => sha256Hex(JSON.stringify(input));
export const taskCacheKey = (taskVersion: string, hash: string) => sha256Hex(`${taskVersion}\u0000${hash}`);

export async function runExperiment(options: RunExperimentOptions): Promise<ExperimentRunSummary> {
  const {task, store, experiment} = options;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 60_000;
  const finished = await store.finished(experiment);
  const ordered = options.cases.map((c, ord) => ({c, ord}));
  const todo = ordered.filter(({c}) => !finished.has(c.caseId));
  const summary: ExperimentRunSummary = {
    total: options.cases.length,
    resumed: options.cases.length - todo.length,
    ran: 0,
    cached: 0,
    ok: 0,
    errors: 0,
    left: 0,
    costUsd: 0,
    unknownCost: 0,
    inputTokens: 0,
    outputTokens: 0,
    budgetSpent: false,
    interrupted: false
  };

  const buffered: FinishedCase[] = [];
  const fresh: TaskCacheEntry[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (force: boolean) => {
    if (!force && buffered.length < (options.batchSize ?? 20)) return writing;
    const batch = buffered.splice(0);
    const cache = fresh.splice(0);
    if (batch.length || cache.length) writing = writing.then(() => store.write(batch, cache));
    return writing;
  };
  const progress = () =>
    options.onProgress?.({
      done: summary.resumed + summary.ok + summary.errors,
      total: summary.total,
      errors: summary.errors,
      cached: summary.cached,
      costUsd: summary.costUsd
    });

  const record = (
    item: {c: DatasetCase; ord: number; input: TaskInput},
    result: TaskResult,
    timing: {startedAt: Date; finishedAt: Date; latencyMs: number | null},
    attempts: number,
    cached: boolean
  ) => {
    const link = caseLink(experiment, item.c.caseId);
    const usage: TaskUsage = result.ok ? result.usage : {inputTokens: null, outputTokens: null, costUsd: null};
    const transcript = caseTranscript(item.input, result.ok ? result.answer : null);
    buffered.push({
      result: {
        experiment,
        caseId: item.c.caseId,
        ord: item.ord,
        traceId: link.traceId,
        status: result.ok ? "ok" : "error",
        output: result.ok ? result.answer.output : null,
        error: result.ok ? null : result.error,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: usage.costUsd,
        latencyMs: timing.latencyMs,
        attempts,
        cached,
        startedAt: timing.startedAt.toISOString(),
        finishedAt: timing.finishedAt.toISOString()
      },
      trace: {
        traceId: link.traceId,
        rootSpanId: link.rootSpanId,
        experiment,
        caseId: item.c.caseId,
        name: `experiment ${experiment}`,
        startTime: timing.startedAt,
        endTime: timing.finishedAt,
        status: result.ok ? "ok" : "error",
        statusMessage: result.ok ? null : result.error,
        model: result.ok ? (result.answer.model ?? task.description.model) : task.description.model,
        ...usage,
        messages: transcript.messages,
        toolCalls: transcript.toolCalls,
        metadata: result.ok && result.answer.metadata ? {task: result.answer.metadata} : {}
      }
    });
    if (result.ok) summary.ok++;
    else summary.errors++;
    progress();
    void flush(false);
  };

  const prepared = todo.map(({c, ord}) => {
    const input = taskInputOf(c);
    const hash = caseHash(input);
    return {c, ord, input, hash, key: taskCacheKey(task.description.version, hash)};
  });
  const hits = options.useCache === false ? new Map() : await store.cached(prepared.map((p) => p.key));
  const toRun: typeof prepared = [];
  for (const p of prepared) {
    const hit = hits.get(p.key);
    if (!hit) {
      toRun.push(p);
      continue;
    }
    summary.cached++;
    const at = now();
    // The answer and what it cost when it was made: a comparison of experiments compares like with like.
    record(
      p,
      {ok: true, answer: hit.answer as never, usage: hit},
      {startedAt: at, finishedAt: at, latencyMs: hit.latencyMs},
      0,
      true
    );
  }

  const signal = options.signal;
  await runPool(
    toRun,
    options.concurrency ?? 8,
    async (p) => {
      if (options.maxCostUsd !== undefined && summary.costUsd >= options.maxCostUsd) {
        summary.budgetSpent = true;
        return "stop";
      }
      const link = caseLink(experiment, p.c.caseId);
      const startedAt = now();
      let attemptStart = 0;
      let attempts = 0;
      const result = await withRetries<TaskResult | "interrupted">(
        options.retry ?? {},
        async (n) => {
          attempts = n;
          attemptStart = performance.now();
          // One controller and timer per attempt, tied to the run's signal by a listener removed afterwards:
          // AbortSignal.any and AbortSignal.timeout cost several times more per call at 32 cases in flight.
          const attempt = new AbortController();
          let timedOut = false;
          const timer = setTimeout(() => {
            timedOut = true;
            attempt.abort();
          }, timeoutMs);
          const stop = () => attempt.abort();
          signal?.addEventListener("abort", stop, {once: true});
          try {
            const outcome = await task.attempt(p.input, link, attempt.signal);
            if (signal?.aborted) return {end: "interrupted"};
            if (timedOut) return {retry: `timed out after ${timeoutMs / 1000} s`};
            return outcome;
          } finally {
            clearTimeout(timer);
            signal?.removeEventListener("abort", stop);
          }
        },
        {
          interrupted: () => "interrupted",
          gaveUp: (lastError, n) => ({ok: false, error: `${lastError} (gave up after ${n} attempts)`})
        },
        signal
      );
      if (result === "interrupted") return "stop";
      const latencyMs = performance.now() - attemptStart;
      summary.ran++;
      if (result.ok) {
        summary.inputTokens += result.usage.inputTokens ?? 0;
        summary.outputTokens += result.usage.outputTokens ?? 0;
        if (result.usage.costUsd === null) summary.unknownCost++;
        else summary.costUsd += result.usage.costUsd;
        fresh.push({
          key: p.key,
          taskVersion: task.description.version,
          caseHash: p.hash,
          answer: result.answer,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          costUsd: result.usage.costUsd,
          latencyMs
        });
      }
      record(p, result, {startedAt, finishedAt: now(), latencyMs}, attempts, false);
    },
    signal
  );
  summary.interrupted = signal?.aborted ?? false;
  summary.left = summary.total - summary.resumed - summary.ok - summary.errors;
  await flush(true);
  progress();
  return summary;
}

/** An `ExperimentStore` in memory, for the benchmark and tests that need no DuckDB. */
export function memoryExperimentStore(): ExperimentStore & {cases: FinishedCase[]; cache: Map<string, TaskCacheEntry>} {
  const cases: FinishedCase[] = [];
  const cache = new Map<string, TaskCacheEntry>();
  return {
    cases,
    cache,
    async finished(experiment) {
      return new Set(
        cases.filter((c) => c.result.experiment === experiment && c.result.status === "ok").map((c) => c.result.caseId)
      );
    },
    async cached(keys) {
      return new Map(keys.flatMap((k) => (cache.has(k) ? [[k, cache.get(k)!] as const] : [])));
    },
    async write(batch, entries) {
      for (const c of batch) {
        const at = cases.findIndex(
          (o) => o.result.experiment === c.result.experiment && o.result.caseId === c.result.caseId
        );
        if (at >= 0) cases.splice(at, 1);
        cases.push(c);
      }
      for (const e of entries) cache.set(e.key, e);
    }
  };
}
