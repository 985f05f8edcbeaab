/**
 * @module One online pass of one evaluator: find the traces that are complete (quiet for the spec's period), not
 * yet settled by this evaluator version online, and in its sample; judge them through the judge runner (its
 * cache, retries and cost accounting) within the call budget; store the verdicts under a run id of the pass.
 *
 * The store is opened only for short reads and one write at the end: the judge's calls run with it closed, so the
 * server's annotation mirror and the pages' loaders, which open the same file, never wait on a model.
 */
import {budgetLeft} from "../../src/core/online/budget.js";
import type {EvaluatorSpec} from "../../src/core/schemas/evaluator.js";
import type {JudgeClient} from "../judge/judgeClient.js";
import {datasetVersionOf, runJudge, type Price} from "../judge/runner.js";
import {versionRecord, type LoadedSpec} from "../judge/specFile.js";
import {registerEvaluatorVersion} from "../store/calibration.js";
import {withConnection} from "../store/db.js";
import {readJudgeItems} from "../store/judgeItems.js";
import {dueTraces, onlineCallsSince, ONLINE_RUN_PREFIX, writeOnlinePass, type DueTrace} from "../store/online.js";
import {
  readCache,
  saveRun,
  writeCache,
  writeVerdicts,
  type CacheEntry,
  type VerdictRow
} from "../store/judgeVerdicts.js";

const HOUR_MS = 3_600_000;

export interface PassOptions {
  workspace: string;
  loaded: LoadedSpec;
  now: Date;
  /** The client for LLM judges and hybrids; without one their traces wait and the result says why. */
  client?: JudgeClient | null;
  /** Why there is no client, for the result's note. */
  noClient?: string;
  price?: Price | null;
  concurrency?: number;
  /** How long a trace (a thread) must be quiet to be complete, overriding the spec's `quietSeconds`. */
  quietMs?: number;
  /** The most traces one pass reads and judges; the rest wait for the next pass. */
  maxTraces?: number;
  signal?: AbortSignal;
}

export interface PassResult {
  evaluatorId: string;
  evaluatorVersion: string;
  runId: string | null;
  /** Complete, unsettled, sampled traces found. */
  candidates: number;
  pass: number;
  fail: number;
  errors: number;
  calls: number;
  cached: number;
  /** Traces left unjudged for want of budget (or of a client): no row, they are tried again later. */
  skipped: number;
  costUsd: number | null;
  /** Why traces were left, in words: "12 traces wait: the budget of 200 calls per hour is spent". */
  note: string | null;
}

export async function onlinePass(options: PassOptions): Promise<PassResult> {
  const {loaded, now, workspace} = options;
  const {spec, version} = loaded;
  const online = spec.online ?? {sample: 1, quietSeconds: 60, budget: {perHour: null, perDay: null}};
  const result: PassResult = {
    evaluatorId: spec.id,
    evaluatorVersion: version,
    runId: null,
    candidates: 0,
    pass: 0,
    fail: 0,
    errors: 0,
    calls: 0,
    cached: 0,
    skipped: 0,
    costUsd: null,
    note: null
  };
  const quietSince = new Date(now.getTime() - (options.quietMs ?? online.quietSeconds * 1000));
  const read = await withConnection(workspace, async (connection) => {
    const due = await dueTraces(connection, {
      quietSince,
      evaluatorId: spec.id,
      evaluatorVersion: version,
      sample: online.sample,
      scope: spec.scope
    });
    if (!due.length) return null;
    const spent = {
      lastHour: await onlineCallsSince(connection, spec.id, new Date(now.getTime() - HOUR_MS)),
      lastDay: await onlineCallsSince(connection, spec.id, new Date(now.getTime() - 24 * HOUR_MS))
    };
    const items = await readJudgeItems(connection, {traceIds: firstTraces(due, options.maxTraces ?? 500)});
    return {due: due.length, items, spent};
  });
  if (!read) return result;
  result.candidates = read.due;
  const left = spec.kind === "rule" ? {calls: null, limit: null} : budgetLeft(online.budget, read.spent);
  const client = spec.kind === "rule" ? null : (options.client ?? null);
  if (spec.kind !== "rule" && !client) {
    // Nothing is stored: the traces wait until a client is configured.
    result.skipped = read.due;
    result.note = `${read.due} traces wait: ${options.noClient ?? "no judge endpoint is configured"}`;
    return result;
  }
  const maxCalls = left.calls ?? undefined;

  const runId = `${ONLINE_RUN_PREFIX}${now.toISOString().replace(/[:.]/g, "-")}-${spec.id}`;
  const rows: VerdictRow[] = [];
  const fresh: CacheEntry[] = [];
  const summary = await runJudge({
    spec,
    evaluatorVersion: version,
    items: read.items,
    runId,
    datasetVersion: datasetVersionOf(read.items),
    store: {
      cached: (keys) =>
        keys.length ? withConnection(workspace, (c) => readCache(c, keys)) : Promise.resolve(new Map()),
      finished: async () => new Set(),
      async write(batch, cache) {
        rows.push(...batch);
        fresh.push(...cache);
      }
    },
    ...(client ? {client} : {}),
    ...(maxCalls !== undefined ? {maxCalls} : {}),
    concurrency: options.concurrency ?? 4,
    price: options.price ?? null,
    ...(options.signal ? {signal: options.signal} : {}),
    now: () => now
  });
  Object.assign(result, {
    pass: summary.pass,
    fail: summary.fail,
    errors: summary.errors,
    calls: summary.calls,
    cached: summary.cached,
    skipped: summary.skipped + (read.due - read.items.length),
    costUsd: summary.costUsd
  });
  if (summary.skipped) result.note = `${summary.skipped} traces wait: the budget of ${left.limit} is spent`;
  if (!rows.length && !summary.skipped) return result;
  result.runId = runId;
  const model = spec.kind === "rule" ? null : spec.judge.model;
  await withConnection(workspace, async (connection) => {
    await registerEvaluatorVersion(connection, versionRecord(spec, version, model));
    if (rows.length) await writeVerdicts(connection, rows);
    if (fresh.length) await writeCache(connection, fresh);
    await saveRun(
      connection,
      {
        runId,
        evaluatorId: spec.id,
        evaluatorVersion: version,
        judgeModel: model,
        datasetVersion: rows[0]?.datasetVersion ?? null,
        status: summary.interrupted ? "interrupted" : "done",
        total: read.items.length,
        calls: summary.calls,
        errors: summary.errors,
        costUsd: summary.costUsd
      },
      !summary.interrupted
    );
    await writeOnlinePass(connection, {
      runId,
      evaluatorId: spec.id,
      evaluatorVersion: version,
      startedAt: now,
      candidates: read.due,
      judged: summary.pass + summary.fail,
      calls: summary.calls,
      cached: summary.cached,
      errors: summary.errors,
      skipped: result.skipped,
      costUsd: summary.costUsd,
      note: result.note
    });
  });
  return result;
}

/**
 * The ids of the first due traces, at most `max` of them but never part of a thread: a thread-scoped rule must see
 * all of a thread's traces, so a thread larger than `max` is taken whole, alone.
 */
export function firstTraces(due: readonly DueTrace[], max: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < due.length;) {
    let end = i + 1;
    while (end < due.length && due[end]!.thread === due[i]!.thread) end++;
    if (ids.length && ids.length + (end - i) > max) break;
    for (let k = i; k < end; k++) ids.push(due[k]!.traceId);
    i = end;
  }
  return ids;
}

/** Whether a spec asks to run online. */
export function runsOnline(spec: EvaluatorSpec): boolean {
  return spec.online !== undefined;
}
