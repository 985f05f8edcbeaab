/**
 * @module A judge run: one evaluator version over a set of traces, with bounded concurrency, a cache keyed by
 * (evaluator version, judge model, trace content hash) so that a rerun costs no calls, and resumption: verdicts
 * are written as they come, so a run that is interrupted continues where it stopped.
 *
 * Rule evaluators run here too (no calls); hybrid evaluators call the judge only for traces their prefilter
 * matches. The store is passed in (`RunStore`), so tests and benchmarks can run against memory or DuckDB alike.
 */
import {compileRule, type RuleContext} from "../../src/core/evaluator/rule.js";
import {spanContexts, threadContext} from "../../src/core/evaluator/scope.js";
import {renderJudgePrompt, type TraceForJudge} from "../../src/core/evaluator/judgePrompt.js";
import type {EvaluatorSpec, JudgeSpec} from "../../src/core/schemas/evaluator.js";
import type {CacheEntry, VerdictRow} from "../store/judgeVerdicts.js";
import type {JudgeItem} from "../store/judgeItems.js";
import type {JudgeClient} from "./judgeClient.js";
import {sha256Hex} from "../formats/hash.js";
import {runPool} from "./pool.js";

export interface RunStore {
  cached(keys: readonly string[]): Promise<Map<string, CacheEntry>>;
  finished(runId: string): Promise<Set<string>>;
  write(rows: readonly VerdictRow[], cache: readonly CacheEntry[]): Promise<void>;
}

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
}

export interface RunProgress {
  done: number;
  total: number;
  calls: number;
  errors: number;
  costUsd: number | null;
}

export interface RunOptions {
  spec: EvaluatorSpec;
  evaluatorVersion: string;
  items: readonly JudgeItem[];
  store: RunStore;
  runId: string;
  datasetVersion: string;
  /** Needed for llm_judge and hybrid specs. */
  client?: JudgeClient;
  /** Overrides the spec's model (the stored verdicts name the model actually asked). */
  model?: string;
  concurrency?: number;
  price?: Price | null;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** How many finished verdicts are buffered before a write. */
  batchSize?: number;
  now?: () => Date;
  /**
   * The most calls this run may make (an online budget). Traces that would need a call beyond it get no row at all,
   * neither verdict nor error, and are counted in `skipped`.
   */
  maxCalls?: number;
}

export interface RunSummary {
  runId: string;
  total: number;
  /** Traces skipped because this run already had their verdict (a resumption). */
  resumed: number;
  cached: number;
  calls: number;
  pass: number;
  fail: number;
  errors: number;
  /** Traces left without a row because `maxCalls` was spent. */
  skipped: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  interrupted: boolean;
}

/** The hash of what the judge sees of a trace: its messages and tool calls. */
export function traceHash(trace: TraceForJudge): string {
  // A case's expected value is part of what a judge with {{expected}} sees; a trace without one hashes as before.
  const expected = trace.expected ? [[trace.expected.output, trace.expected.behaviour]] : [];
  return sha256Hex(
    JSON.stringify([
      trace.messages.map((m) => [m.role, m.name ?? null, m.content]),
      trace.toolCalls.map((t) => [t.name, t.arguments, t.result, t.success]),
      ...expected
    ])
  );
}

export function cacheKey(evaluatorVersion: string, model: string, hash: string): string {
  return sha256Hex(`${evaluatorVersion}\u0000${model}\u0000${hash}`);
}

/** A dataset version names the exact set of trace contents judged: the same traces give the same version. */
export function datasetVersionOf(items: readonly JudgeItem[]): string {
  const lines = items.map((item) => `${item.traceId}\t${traceHash(item.trace)}`).sort();
  return `ds-${sha256Hex(lines.join("\n")).slice(0, 12)}`;
}

export function costOf(
  price: Price | null | undefined,
  inputTokens: number | null,
  outputTokens: number | null
): number | null {
  if (!price || inputTokens === null || outputTokens === null) return null;
  return (inputTokens * price.input + outputTokens * price.output) / 1e6;
}

export async function runJudge(options: RunOptions): Promise<RunSummary> {
  const {spec, store, runId} = options;
  const now = options.now ?? (() => new Date());
  const judge: JudgeSpec | null = spec.kind === "rule" ? null : spec.judge;
  const model = judge ? (options.model ?? judge.model) : null;
  if (judge && !options.client) throw new Error(`the evaluator ${spec.id} is an LLM judge: a client is needed`);
  if (spec.kind !== "rule" && spec.scope !== "trace") {
    throw new Error(
      `the evaluator ${spec.id} asks a judge about each ${spec.scope}; judges run on whole traces only, rules on spans and threads too`
    );
  }
  const rule =
    spec.kind === "rule" ? compileRule(spec.rule) : spec.kind === "hybrid" ? compileRule(spec.prefilter) : null;

  const finished = await store.finished(runId);
  const todo = options.items.filter((item) => !finished.has(item.traceId));
  const summary: RunSummary = {
    runId,
    total: options.items.length,
    resumed: options.items.length - todo.length,
    cached: 0,
    calls: 0,
    pass: 0,
    fail: 0,
    errors: 0,
    skipped: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: options.price ? 0 : null,
    interrupted: false
  };

  const base = {
    runId,
    evaluatorId: spec.id,
    evaluatorVersion: options.evaluatorVersion,
    datasetVersion: options.datasetVersion
  };
  const rows: VerdictRow[] = [];
  const fresh: CacheEntry[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (force: boolean) => {
    if (!force && rows.length < (options.batchSize ?? 50)) return writing;
    const batch = rows.splice(0);
    const cache = fresh.splice(0);
    if (batch.length || cache.length) writing = writing.then(() => store.write(batch, cache));
    return writing;
  };
  const progress = () =>
    options.onProgress?.({
      done: summary.resumed + summary.pass + summary.fail + summary.errors,
      total: summary.total,
      calls: summary.calls,
      errors: summary.errors,
      costUsd: summary.costUsd
    });
  const record = (row: VerdictRow) => {
    rows.push(row);
    if (row.outcome === "error") summary.errors++;
    else summary[row.outcome]++;
    progress();
    void flush(false);
  };
  const emptyRow = {
    reasoning: null,
    error: null,
    judgeModel: null,
    promptHash: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null
  };

  // Everything a rule settles is settled before any call.
  const needJudge: {item: JudgeItem; hash: string; key: string}[] = [];
  const threads = spec.kind === "rule" && spec.scope === "thread" ? threadsOf(options.items) : null;
  for (const item of todo) {
    if (spec.kind === "rule") {
      const {failed, reasoning} = ruleVerdict(spec.scope, rule!, item, threads);
      record({
        ...base,
        ...emptyRow,
        traceId: item.traceId,
        outcome: failed ? "fail" : "pass",
        reasoning,
        createdAt: now()
      });
      continue;
    }
    if (spec.kind === "hybrid" && !rule!(item.rule)) {
      record({
        ...base,
        ...emptyRow,
        traceId: item.traceId,
        outcome: spec.otherwise,
        reasoning: "prefilter did not match; the judge was not asked",
        createdAt: now()
      });
      continue;
    }
    const hash = traceHash(item.trace);
    needJudge.push({item, hash, key: cacheKey(options.evaluatorVersion, model!, hash)});
  }

  const cached = await store.cached(needJudge.map((n) => n.key));
  const toCall: typeof needJudge = [];
  for (const n of needJudge) {
    const hit = cached.get(n.key);
    if (!hit) {
      toCall.push(n);
      continue;
    }
    summary.cached++;
    // The cached answer cost nothing in this run, so this run's row records zero tokens and cost.
    record({
      ...base,
      traceId: n.item.traceId,
      outcome: hit.outcome,
      reasoning: hit.reasoning,
      error: null,
      judgeModel: model,
      promptHash: hit.promptHash,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: options.price ? 0 : null,
      createdAt: now()
    });
  }

  // The budget is taken from the front: the traces past it are left for a later run, with no row.
  if (options.maxCalls !== undefined && toCall.length > options.maxCalls) {
    summary.skipped = toCall.length - Math.max(0, options.maxCalls);
    toCall.length = Math.max(0, options.maxCalls);
  }
  const work = async ({item, hash, key}: (typeof toCall)[number]): Promise<void | "stop"> => {
    const messages = renderJudgePrompt(judge!, item.trace, {
      criterion: spec.criterion,
      failureMode: spec.failureMode
    });
    const promptHash = sha256Hex(
      JSON.stringify({model, temperature: judge!.temperature, maxTokens: judge!.maxTokens, messages})
    ).slice(0, 16);
    summary.calls++;
    const result = await options.client!.call(
      {model: model!, temperature: judge!.temperature, maxTokens: judge!.maxTokens, messages},
      options.signal
    );
    if (!result.ok && result.error === "interrupted") {
      summary.calls--;
      return "stop";
    }
    // A call refused before any answer (an HTTP error) reports no usage and is not billed: it costs 0, not
    // "unknown". An answer without usage is unknown, and makes the run's total unknown.
    const unbilled = !result.ok && result.usage.inputTokens === null && result.usage.outputTokens === null;
    const cost =
      unbilled && options.price ? 0 : costOf(options.price, result.usage.inputTokens, result.usage.outputTokens);
    summary.inputTokens += result.usage.inputTokens ?? 0;
    summary.outputTokens += result.usage.outputTokens ?? 0;
    if (summary.costUsd !== null) summary.costUsd = cost === null ? null : summary.costUsd + cost;
    const usage = {inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, costUsd: cost};
    if (result.ok) {
      fresh.push({
        key,
        evaluatorVersion: options.evaluatorVersion,
        judgeModel: model!,
        traceHash: hash,
        outcome: result.verdict.verdict,
        reasoning: result.verdict.reasoning,
        promptHash,
        ...usage
      });
      record({
        ...base,
        traceId: item.traceId,
        outcome: result.verdict.verdict,
        reasoning: result.verdict.reasoning,
        error: null,
        judgeModel: model,
        promptHash,
        ...usage,
        createdAt: now()
      });
    } else {
      record({
        ...base,
        traceId: item.traceId,
        outcome: "error",
        reasoning: null,
        error: result.error,
        judgeModel: model,
        promptHash,
        ...usage,
        createdAt: now()
      });
    }
  };
  await runPool(toCall, options.concurrency ?? 8, work, options.signal);
  summary.interrupted = options.signal?.aborted ?? false;
  await flush(true);
  progress();
  return summary;
}

/** The traces of each thread (session) among the items, in item order; a trace without a session is its own thread. */
function threadsOf(items: readonly JudgeItem[]): Map<string, JudgeItem[]> {
  const threads = new Map<string, JudgeItem[]>();
  for (const item of items) {
    const key = item.sessionId ?? `trace:${item.traceId}`;
    let list = threads.get(key);
    if (!list) threads.set(key, (list = []));
    list.push(item);
  }
  return threads;
}

/**
 * A rule's verdict on one trace, whatever the spec's scope, since verdicts are stored per trace: a span-scoped rule
 * fails the trace when it holds on any of its spans (the reasoning names them); a thread-scoped rule is evaluated
 * on the trace's whole session and every trace of the session gets that verdict.
 */
function ruleVerdict(
  scope: EvaluatorSpec["scope"],
  rule: (c: RuleContext) => boolean,
  item: JudgeItem,
  threads: Map<string, JudgeItem[]> | null
): {failed: boolean; reasoning: string} {
  if (scope === "span") {
    const failing = spanContexts(item.rule)
      .filter((unit) => rule(unit.context))
      .map((unit) => unit.unit);
    return failing.length
      ? {
          failed: true,
          reasoning: `rule condition held on span${failing.length > 1 ? "s" : ""} ${failing.slice(0, 10).join(", ")}${failing.length > 10 ? ", …" : ""}`
        }
      : {failed: false, reasoning: "rule condition held on no span"};
  }
  if (scope === "thread" && threads) {
    const key = item.sessionId ?? `trace:${item.traceId}`;
    const members = threads.get(key) ?? [item];
    const failed = rule(threadContext(members.map((m) => m.rule)));
    const name = item.sessionId
      ? `thread ${item.sessionId} (${members.length} traces)`
      : "this trace's thread (no session)";
    return {failed, reasoning: `rule condition ${failed ? "held" : "did not hold"} on ${name}`};
  }
  const failed = rule(item.rule);
  return {failed, reasoning: `rule condition ${failed ? "held" : "did not hold"}`};
}

/** A `RunStore` in memory, for benchmarks and tests that do not need DuckDB. */
export function memoryRunStore(): RunStore & {rows: VerdictRow[]; cache: Map<string, CacheEntry>} {
  const rows: VerdictRow[] = [];
  const cache = new Map<string, CacheEntry>();
  return {
    rows,
    cache,
    async cached(keys) {
      return new Map(keys.flatMap((k) => (cache.has(k) ? [[k, cache.get(k)!] as const] : [])));
    },
    async finished(runId) {
      return new Set(rows.filter((r) => r.runId === runId && r.outcome !== "error").map((r) => r.traceId));
    },
    async write(batch, entries) {
      rows.push(...batch);
      for (const e of entries) cache.set(e.key, e);
    }
  };
}
