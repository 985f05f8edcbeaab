/**
 * @module The gate over a candidate's traces: each spec of the suite gets its role from its recorded calibration;
 * rule evaluators that block or report run in process, LLM judges and hybrids through the judge client (a failed
 * call is an error, counted apart, never a verdict); skipped ones never run. Then coverage and the run's verdict.
 */
import {basename} from "node:path";
import {compileRule} from "../../src/core/evaluator/rule.js";
import {suiteCoverage, type RegistryMode} from "../../src/core/gate/coverage.js";
import {decideEvaluator, planEvaluator, type EvaluatorPlan, type RunCounts} from "../../src/core/gate/decide.js";
import {gateRun} from "../../src/core/gate/report.js";
import {ruleCounts} from "../../src/core/gate/ruleCounts.js";
import type {Condition, SpecCalibration} from "../../src/core/schemas/evaluator.js";
import type {GateRun} from "../../src/core/schemas/gateReport.js";
import {DEFAULT_TRUST_POLICY, type TrustPolicy} from "../../src/core/calibration/trust.js";
import type {JudgeClient} from "../judge/judgeClient.js";
import {memoryRunStore, runJudge} from "../judge/runner.js";
import type {JudgeItem} from "../store/judgeItems.js";
import type {LoadedSpec} from "../judge/specFile.js";
import type {Suite} from "./suite.js";

export interface GateOptions {
  suite: Pick<Suite, "dir" | "specs">;
  items: readonly JudgeItem[];
  candidate: GateRun["candidate"];
  /** The workspace's failure modes, or null when no workspace was given. */
  registry: RegistryMode[] | null;
  label: string;
  runId: string;
  defaultMinPassRate: number;
  /** Which evidence lets an evaluator block (default: the interval policy). */
  trust?: TrustPolicy;
  /** Needed when an LLM judge or hybrid blocks or reports. */
  client?: JudgeClient;
  concurrency?: number;
  signal?: AbortSignal;
  /** Per evaluator id, its current version's calibration on the workspace's labels now (see `planEvaluator`). */
  current?: ReadonlyMap<string, SpecCalibration>;
  /** Posterior draws for each corrected failure rate's interval. */
  resamples?: number;
  now?: () => Date;
  onProgress?: (done: number, total: number, detail: string) => void;
  /** Traces a judge has answered so far, for a progress bar during the long part. */
  onJudgeProgress?: (evaluator: string, done: number, total: number, errors: number) => void;
}

/** The signal stopped a judge mid-run: the gate has no decision to give. */
export class GateInterrupted extends Error {
  override readonly name = "GateInterrupted";
}

export function planSuite(
  suite: Pick<Suite, "specs">,
  defaultMinPassRate: number,
  trust: TrustPolicy = DEFAULT_TRUST_POLICY,
  current: ReadonlyMap<string, SpecCalibration> = new Map()
): {loaded: LoadedSpec; plan: EvaluatorPlan}[] {
  return suite.specs.map((loaded) => ({
    loaded,
    plan: planEvaluator(
      loaded.spec,
      loaded.version,
      basename(loaded.path),
      defaultMinPassRate,
      trust,
      current.get(loaded.spec.id)
    )
  }));
}

/** Whether any evaluator that will run reads span attributes (a JSONPath condition), so the reader can skip them. */
export function needsSpanAttributes(planned: readonly {loaded: LoadedSpec; plan: EvaluatorPlan}[]): boolean {
  const uses = (c: Condition): boolean =>
    c.op === "jsonpath" ||
    (c.op === "and" ? c.all.some(uses) : c.op === "or" ? c.any.some(uses) : c.op === "not" ? uses(c.condition) : false);
  return planned.some(
    ({loaded: {spec}, plan}) =>
      plan.role !== "skipped" &&
      (spec.kind === "rule" ? uses(spec.rule) : spec.kind === "hybrid" ? uses(spec.prefilter) : false)
  );
}

/** The planned evaluators that will call a judge: the client must exist before the gate starts. */
export function judgesToCall(planned: readonly {loaded: LoadedSpec; plan: EvaluatorPlan}[]): LoadedSpec[] {
  return planned.filter((p) => p.plan.role !== "skipped" && p.loaded.spec.kind !== "rule").map((p) => p.loaded);
}

export async function runGate(options: GateOptions): Promise<GateRun> {
  const started = performance.now();
  const at = (options.now ?? (() => new Date()))().toISOString();
  const trust = options.trust ?? DEFAULT_TRUST_POLICY;
  const planned = planSuite(options.suite, options.defaultMinPassRate, trust, options.current);
  const toRun = planned.filter((p) => p.plan.role !== "skipped").length;
  let done = 0;
  const evaluators = [];
  for (const {loaded, plan} of planned) {
    let counts: RunCounts | null = null;
    if (plan.role !== "skipped") {
      options.onProgress?.(done, toRun, loaded.spec.id);
      counts = loaded.spec.kind === "rule" ? ruleRun(loaded, options.items) : await judgeRun(loaded, options);
      done++;
    }
    evaluators.push(decideEvaluator(plan, counts, {...(options.resamples ? {resamples: options.resamples} : {})}));
  }
  options.onProgress?.(toRun, toRun, "done");
  const coverage = suiteCoverage(options.registry, evaluators);
  return gateRun(
    {
      runId: options.runId,
      label: options.label,
      at,
      durationMs: performance.now() - started,
      suite: options.suite.dir,
      candidate: options.candidate,
      defaultMinPassRate: options.defaultMinPassRate,
      trust
    },
    evaluators,
    coverage
  );
}

function ruleRun(loaded: LoadedSpec, items: readonly JudgeItem[]): RunCounts {
  if (loaded.spec.kind !== "rule") throw new Error("not a rule");
  const counts = ruleCounts(loaded.spec.scope, compileRule(loaded.spec.rule), items);
  return {...counts, errors: 0, calls: 0};
}

async function judgeRun(loaded: LoadedSpec, options: GateOptions): Promise<RunCounts> {
  if (!options.client) throw new Error(`the evaluator ${loaded.spec.id} is an LLM judge: a client is needed`);
  const store = memoryRunStore();
  const summary = await runJudge({
    spec: loaded.spec,
    evaluatorVersion: loaded.version,
    items: options.items,
    store,
    runId: options.runId,
    datasetVersion: "gate",
    client: options.client,
    ...(options.concurrency ? {concurrency: options.concurrency} : {}),
    ...(options.signal ? {signal: options.signal} : {}),
    onProgress: (p) => options.onJudgeProgress?.(loaded.spec.id, p.done, p.total, p.errors)
  });
  if (summary.interrupted)
    throw new GateInterrupted(`interrupted while ${loaded.spec.id} was judging; no verdict was recorded`);
  const outcomes = new Map(store.rows.map((r) => [r.traceId, r.outcome]));
  const failing: string[] = [];
  for (const item of options.items)
    if (outcomes.get(item.traceId) === "fail" && failing.length < 20) failing.push(item.traceId);
  // Traces the run never reached (interrupted) count as errors: there is no verdict for them.
  const errors = options.items.length - summary.pass - summary.fail;
  return {pass: summary.pass, fail: summary.fail, errors, failing, calls: summary.calls};
}
