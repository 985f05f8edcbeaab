/**
 * @module An experiment as the comparison and the gate read it: its record, each case's result, and every suite
 * evaluator's verdict on each case's trace. Rules run in process, LLM judges and hybrids through the judge client
 * (a failed call leaves that case without a verdict, never a verdict). A case whose task failed has no output to
 * judge, so it has no verdicts either: it is counted as unpaired, never as a pass or a fail.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {compileRule} from "../../src/core/evaluator/rule.js";
import type {ExperimentCase, ExperimentSide, Verdict} from "../../src/core/experiments/compare.js";
import {ruleCounts} from "../../src/core/gate/ruleCounts.js";
import type {Experiment} from "../../src/core/schemas/experiment.js";
import type {JudgeClient} from "../judge/judgeClient.js";
import {memoryRunStore, runJudge} from "../judge/runner.js";
import type {LoadedSpec} from "../judge/specFile.js";
import {ExperimentError, readExperiment, readExperimentResults} from "../store/experiments.js";
import {readJudgeItems, type JudgeItem} from "../store/judgeItems.js";

export interface ScoredExperiment {
  experiment: Experiment;
  side: ExperimentSide;
  /** Per evaluator id, the judge calls that failed (their cases have no verdict). */
  judgeErrors: Record<string, number>;
}

export interface ScoreOptions {
  specs: readonly LoadedSpec[];
  client?: JudgeClient;
  concurrency?: number;
  signal?: AbortSignal;
}

/** Per trace id, each evaluator's verdict. */
export async function verdictsOf(
  items: readonly JudgeItem[],
  options: ScoreOptions
): Promise<{verdicts: Map<string, Record<string, Verdict>>; judgeErrors: Record<string, number>}> {
  const verdicts = new Map(items.map((i) => [i.traceId, {} as Record<string, Verdict>]));
  const judgeErrors: Record<string, number> = {};
  for (const {spec, version} of options.specs) {
    if (spec.kind === "rule") {
      const failing = new Set(ruleCounts(spec.scope, compileRule(spec.rule), items, Infinity).failing);
      for (const item of items) verdicts.get(item.traceId)![spec.id] = failing.has(item.traceId) ? "fail" : "pass";
      continue;
    }
    if (!options.client)
      throw new ExperimentError(
        `the evaluator ${spec.id} is an LLM judge: set OPENAI_BASE_URL and OPENAI_API_KEY (or --base-url), or leave it out of the suite`
      );
    const store = memoryRunStore();
    const summary = await runJudge({
      spec,
      evaluatorVersion: version,
      items,
      store,
      runId: `compare-${spec.id}`,
      datasetVersion: "experiment",
      client: options.client,
      ...(options.concurrency ? {concurrency: options.concurrency} : {}),
      ...(options.signal ? {signal: options.signal} : {})
    });
    judgeErrors[spec.id] = summary.errors;
    for (const row of store.rows)
      if (row.outcome === "pass" || row.outcome === "fail") verdicts.get(row.traceId)![spec.id] = row.outcome;
  }
  return {verdicts, judgeErrors};
}

export async function scoreExperiment(
  connection: DuckDBConnection,
  name: string,
  options: ScoreOptions
): Promise<ScoredExperiment> {
  const experiment = await readExperiment(connection, name);
  if (!experiment)
    throw new ExperimentError(
      `no experiment named ${name} in this workspace; \`plumbline experiment list\` shows them`
    );
  const results = await readExperimentResults(connection, name);
  const items = results.length ? await readJudgeItems(connection, {traceIds: results.map((r) => r.traceId)}) : [];
  const byTrace = new Map(items.map((i) => [i.traceId, i]));
  const okTraces = new Set(results.filter((r) => r.status === "ok").map((r) => r.traceId));
  const {verdicts, judgeErrors} = await verdictsOf(
    items.filter((i) => okTraces.has(i.traceId)),
    options
  );
  const cases = results.map((r): ExperimentCase => ({
    caseId: r.caseId,
    traceId: r.traceId,
    input: byTrace.get(r.traceId)?.trace.messages.find((m) => m.role === "user")?.content ?? "",
    output: r.output,
    error: r.error,
    costUsd: r.costUsd,
    latencyMs: r.latencyMs,
    verdicts: r.status === "ok" ? (verdicts.get(r.traceId) ?? {}) : {}
  }));
  return {experiment, side: {name, cases}, judgeErrors};
}
