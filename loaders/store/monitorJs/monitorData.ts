/**
 * @module The monitor page's series: per evaluator, per model and per failure mode, bucketed by time, with drift
 * flags. Pure: the loader passes the rows in, the page draws what comes out.
 */
import type {Confusion} from "../../../src/core/calibration/confusion.js";
import {correctedFailureRate} from "../../../src/core/calibration/correction.js";
import {bucketRange, bucketStart, bucketUnit, type BucketUnit} from "../../../src/core/monitor/buckets.js";
import {proportionDrift, robustDrift, type DriftResult} from "../../../src/core/monitor/drift.js";
import {quantile} from "../../../src/core/monitor/percentile.js";
import {traceTime, type TraceTimes} from "../../../src/core/monitor/traceTime.js";

export interface MonitorTrace extends TraceTimes {
  traceId: string;
  model: string | null;
  status: string;
  latencyMs: number | null;
  tokens: number | null;
  costUsd: number | null;
}

/** The latest verdict of one evaluator version on one trace. */
export interface MonitorVerdict {
  evaluatorId: string;
  evaluatorVersion: string;
  traceId: string;
  outcome: "pass" | "fail" | "error";
}

/** A ground-truth decision on a trace; `failureMode` names why it failed. */
export interface MonitorLabel {
  traceId: string;
  pass: boolean;
  failureMode: string | null;
}

/** An evaluator version's calibration: the confusion the correction reads (the population's where recorded). */
export interface MonitorCalibration {
  evaluatorId: string;
  evaluatorVersion: string;
  confusion: Confusion;
}

export interface MonitorInput {
  traces: readonly MonitorTrace[];
  verdicts: readonly MonitorVerdict[];
  labels: readonly MonitorLabel[];
  calibrations: readonly MonitorCalibration[];
  /** Posterior draws per bucket for the corrected rate's band (default 2,000). */
  resamples?: number;
}

export interface EvaluatorPoint {
  bucket: number;
  pass: number;
  fail: number;
  errors: number;
  /** Traces in the bucket, evaluated or not. */
  traces: number;
  passRate: number | null;
  corrected: number | null;
  low: number | null;
  high: number | null;
  evaluatedShare: number | null;
  drift: DriftResult;
}

export interface EvaluatorSeries {
  evaluatorId: string;
  evaluatorVersion: string;
  calibrated: boolean;
  pass: number;
  fail: number;
  errors: number;
  evaluatedShare: number | null;
  points: EvaluatorPoint[];
}

export interface ModelPoint {
  bucket: number;
  traces: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Sums over the bucket's traces that report them; null when none does (unknown, not zero). */
  tokens: number | null;
  costUsd: number | null;
  /** Mean cost of the bucket's traces that report one. */
  costPerTrace: number | null;
  errorDrift: DriftResult;
  costDrift: DriftResult;
}

export interface ModelSeries {
  model: string | null;
  traces: number;
  points: ModelPoint[];
}

export interface FailureModePoint {
  bucket: number;
  labelled: number;
  failing: number;
  drift: DriftResult;
}

export interface FailureModeSeries {
  failureMode: string;
  failing: number;
  points: FailureModePoint[];
}

export interface DriftFlag {
  kind: "evaluator failure rate" | "model error rate" | "model cost per trace" | "failure mode share";
  subject: string;
  bucket: number;
  value: number;
  baseline: number;
  z: number;
}

export interface MonitorData {
  unit: BucketUnit | null;
  buckets: number[];
  traces: number;
  /** How many traces are placed at their own start time, at their received time, and nowhere. */
  timeBasis: {start: number; received: number; none: number};
  evaluators: EvaluatorSeries[];
  models: ModelSeries[];
  failureModes: FailureModeSeries[];
  flags: DriftFlag[];
}

const share = (part: number, whole: number) => (whole ? part / whole : null);

export function monitorData(input: MonitorInput): MonitorData {
  const timeBasis = {start: 0, received: 0, none: 0};
  const bucketOf = new Map<string, number>();
  const timed: {trace: MonitorTrace; time: number}[] = [];
  for (const trace of input.traces) {
    const {time, basis} = traceTime(trace);
    timeBasis[basis]++;
    if (time !== null) timed.push({trace, time});
  }
  const empty: MonitorData = {
    unit: null,
    buckets: [],
    traces: input.traces.length,
    timeBasis,
    evaluators: [],
    models: [],
    failureModes: [],
    flags: []
  };
  if (!timed.length) return empty;
  let first = Infinity;
  let last = -Infinity;
  for (const {time} of timed) {
    if (time < first) first = time;
    if (time > last) last = time;
  }
  const unit = bucketUnit(first, last);
  const buckets = bucketRange(first, last, unit);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const tracesPerBucket = buckets.map(() => 0);
  for (const {trace, time} of timed) {
    const b = bucketStart(time, unit);
    bucketOf.set(trace.traceId, b);
    tracesPerBucket[index.get(b)!]!++;
  }

  const flags: DriftFlag[] = [];
  const flag = (kind: DriftFlag["kind"], subject: string, bucket: number, drift: DriftResult) => {
    if (drift.tested && drift.flagged)
      flags.push({kind, subject, bucket, value: drift.value, baseline: drift.baseline, z: drift.z});
  };

  const evaluators = evaluatorSeries(input, buckets, index, bucketOf, tracesPerBucket);
  for (const series of evaluators)
    for (const point of series.points)
      flag("evaluator failure rate", `${series.evaluatorId} ${series.evaluatorVersion}`, point.bucket, point.drift);

  const models = modelSeries(timed, buckets, index, unit);
  for (const series of models)
    for (const point of series.points) {
      flag("model error rate", series.model ?? "(no model)", point.bucket, point.errorDrift);
      flag("model cost per trace", series.model ?? "(no model)", point.bucket, point.costDrift);
    }

  const failureModes = failureModeSeries(input.labels, buckets, index, bucketOf);
  for (const series of failureModes)
    for (const point of series.points) flag("failure mode share", series.failureMode, point.bucket, point.drift);

  flags.sort((a, b) => b.bucket - a.bucket || Math.abs(b.z) - Math.abs(a.z));
  return {...empty, unit, buckets, evaluators, models, failureModes, flags};
}

function evaluatorSeries(
  input: MonitorInput,
  buckets: number[],
  index: Map<number, number>,
  bucketOf: Map<string, number>,
  tracesPerBucket: number[]
): EvaluatorSeries[] {
  const calibrations = new Map(input.calibrations.map((c) => [`${c.evaluatorId}\u0000${c.evaluatorVersion}`, c]));
  const groups = new Map<
    string,
    {id: string; version: string; counts: {pass: number; fail: number; errors: number}[]}
  >();
  for (const verdict of input.verdicts) {
    const bucket = bucketOf.get(verdict.traceId);
    if (bucket === undefined) continue;
    const key = `${verdict.evaluatorId}\u0000${verdict.evaluatorVersion}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        id: verdict.evaluatorId,
        version: verdict.evaluatorVersion,
        counts: buckets.map(() => ({pass: 0, fail: 0, errors: 0}))
      };
      groups.set(key, group);
    }
    const counts = group.counts[index.get(bucket)!]!;
    if (verdict.outcome === "pass") counts.pass++;
    else if (verdict.outcome === "fail") counts.fail++;
    else counts.errors++;
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group]) => {
      const calibration = calibrations.get(key);
      const drifts = proportionDrift(group.counts.map((c) => ({fail: c.fail, total: c.pass + c.fail})));
      const points = group.counts.map((c, i): EvaluatorPoint => {
        const judged = c.pass + c.fail;
        let corrected: number | null = null;
        let low: number | null = null;
        let high: number | null = null;
        if (calibration && judged) {
          // Corrected in failures, as the gate does, then shown as a pass rate beside the raw one.
          const rate = correctedFailureRate(
            calibration.confusion,
            {fail: c.fail, total: judged},
            {resamples: input.resamples ?? 2000, seed: i + 1}
          );
          if ("value" in rate.corrected) corrected = 1 - rate.corrected.value;
          if ("low" in rate.interval) [low, high] = [1 - rate.interval.high, 1 - rate.interval.low];
        }
        return {
          bucket: buckets[i]!,
          ...c,
          traces: tracesPerBucket[i]!,
          passRate: share(c.pass, judged),
          corrected,
          low,
          high,
          evaluatedShare: share(judged, tracesPerBucket[i]!),
          drift: drifts[i]!
        };
      });
      const pass = points.reduce((s, p) => s + p.pass, 0);
      const fail = points.reduce((s, p) => s + p.fail, 0);
      const errors = points.reduce((s, p) => s + p.errors, 0);
      const traces = tracesPerBucket.reduce((s, n) => s + n, 0);
      return {
        evaluatorId: group.id,
        evaluatorVersion: group.version,
        calibrated: calibration !== undefined,
        pass,
        fail,
        errors,
        evaluatedShare: share(pass + fail, traces),
        points
      };
    });
}

function modelSeries(
  timed: {trace: MonitorTrace; time: number}[],
  buckets: number[],
  index: Map<number, number>,
  unit: BucketUnit
): ModelSeries[] {
  interface Acc {
    traces: number;
    errors: number;
    latencies: number[];
    tokens: number;
    tokened: number;
    cost: number;
    costed: number;
  }
  const groups = new Map<string | null, Acc[]>();
  for (const {trace, time} of timed) {
    let accs = groups.get(trace.model);
    if (!accs) {
      accs = buckets.map(() => ({traces: 0, errors: 0, latencies: [], tokens: 0, tokened: 0, cost: 0, costed: 0}));
      groups.set(trace.model, accs);
    }
    const acc = accs[index.get(bucketStart(time, unit))!]!;
    acc.traces++;
    if (trace.status === "error") acc.errors++;
    if (trace.latencyMs !== null && Number.isFinite(trace.latencyMs)) acc.latencies.push(trace.latencyMs);
    if (trace.tokens !== null && Number.isFinite(trace.tokens)) {
      acc.tokens += trace.tokens;
      acc.tokened++;
    }
    if (trace.costUsd !== null && Number.isFinite(trace.costUsd)) {
      acc.cost += trace.costUsd;
      acc.costed++;
    }
  }
  return [...groups.entries()]
    .map(([model, accs]) => {
      const errorDrift = proportionDrift(accs.map((a) => ({fail: a.errors, total: a.traces})));
      const costDrift = robustDrift(accs.map((a) => (a.costed ? a.cost / a.costed : null)));
      return {
        model,
        traces: accs.reduce((s, a) => s + a.traces, 0),
        points: accs.map((a, i): ModelPoint => ({
          bucket: buckets[i]!,
          traces: a.traces,
          errors: a.errors,
          errorRate: share(a.errors, a.traces),
          p50: quantile(a.latencies, 0.5),
          p95: quantile(a.latencies, 0.95),
          p99: quantile(a.latencies, 0.99),
          tokens: a.tokened ? a.tokens : null,
          costUsd: a.costed ? a.cost : null,
          costPerTrace: a.costed ? a.cost / a.costed : null,
          errorDrift: errorDrift[i]!,
          costDrift: costDrift[i]!
        }))
      };
    })
    .sort((a, b) => b.traces - a.traces || String(a.model).localeCompare(String(b.model)));
}

/** Per failure mode, the share of the bucket's labelled traces that fail for it, by the traces' own time. */
function failureModeSeries(
  labels: readonly MonitorLabel[],
  buckets: number[],
  index: Map<number, number>,
  bucketOf: Map<string, number>
): FailureModeSeries[] {
  const labelled = buckets.map(() => new Set<string>());
  const failing = new Map<string, Set<string>[]>();
  for (const label of labels) {
    const bucket = bucketOf.get(label.traceId);
    if (bucket === undefined) continue;
    const i = index.get(bucket)!;
    labelled[i]!.add(label.traceId);
    if (label.pass || label.failureMode === null) continue;
    let sets = failing.get(label.failureMode);
    if (!sets) failing.set(label.failureMode, (sets = buckets.map(() => new Set<string>())));
    sets[i]!.add(label.traceId);
  }
  return [...failing.entries()]
    .map(([failureMode, sets]) => {
      const drift = proportionDrift(sets.map((s, i) => ({fail: s.size, total: labelled[i]!.size})));
      return {
        failureMode,
        failing: sets.reduce((n, s) => n + s.size, 0),
        points: sets.map((s, i) => ({
          bucket: buckets[i]!,
          labelled: labelled[i]!.size,
          failing: s.size,
          drift: drift[i]!
        }))
      };
    })
    .sort((a, b) => b.failing - a.failing || a.failureMode.localeCompare(b.failureMode));
}
