/**
 * @module The monitor page's series: per evaluator, per model and per failure mode, bucketed by time, with drift
 * flags. Pure: the store counts and sums per bucket (loaders/store/monitorRows.ts), so only bucket rows reach this
 * module, which lays them out over every bucket, corrects the pass rates and tests each bucket for drift.
 */
import type {Confusion} from "../calibration/confusion.js";
import {correctedFailureRate} from "../calibration/correction.js";
import {bucketRange, bucketUnit, type BucketUnit} from "./buckets.js";
import {proportionDrift, robustDrift, type DriftResult} from "./drift.js";

/**
 * How many traces there are, which time placed each (its own start, else when it was received: see TRACE_TIME in
 * loaders/store/monitorRows.ts), and the first and last of those times.
 */
export interface MonitorExtent {
  traces: number;
  timeBasis: {start: number; received: number; none: number};
  /** Epoch ms; null when no trace has a time. */
  first: number | null;
  last: number | null;
}

/** One evaluator version's latest verdicts on the traces of one bucket. */
export interface EvaluatorBucket {
  evaluatorId: string;
  evaluatorVersion: string;
  bucket: number;
  pass: number;
  fail: number;
  errors: number;
}

/** One model's traces in one bucket; the sums are over the traces that report them, null when none does. */
export interface ModelBucket {
  model: string | null;
  bucket: number;
  traces: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  tokens: number | null;
  costUsd: number | null;
  /** Traces that report a cost, which the cost per trace divides by. */
  costed: number;
}

/** The traces of a bucket with ground truth, and per failure mode those failing for it (each trace counted once). */
export interface LabelledBucket {
  bucket: number;
  labelled: number;
}
export interface FailureModeBucket {
  failureMode: string;
  bucket: number;
  failing: number;
}

/** What the store aggregates per bucket: the only rows that cross from the store into JavaScript. */
export interface MonitorBuckets {
  evaluators: readonly EvaluatorBucket[];
  models: readonly ModelBucket[];
  labelled: readonly LabelledBucket[];
  failureModes: readonly FailureModeBucket[];
}

/** An evaluator version's calibration: the confusion the correction reads (the population's where recorded). */
export interface MonitorCalibration {
  evaluatorId: string;
  evaluatorVersion: string;
  confusion: Confusion;
}

export interface MonitorInput extends MonitorBuckets {
  extent: MonitorExtent;
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

/** The bucket unit for the extent's times, which the store buckets by; null when no trace has a time. */
export function monitorUnit(extent: MonitorExtent): BucketUnit | null {
  return extent.first === null || extent.last === null ? null : bucketUnit(extent.first, extent.last);
}

export function monitorData(input: MonitorInput): MonitorData {
  const {extent} = input;
  const unit = monitorUnit(extent);
  const empty: MonitorData = {
    unit: null,
    buckets: [],
    traces: extent.traces,
    timeBasis: extent.timeBasis,
    evaluators: [],
    models: [],
    failureModes: [],
    flags: []
  };
  if (unit === null) return empty;
  const buckets = bucketRange(extent.first!, extent.last!, unit);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const indexOf = (bucket: number) => {
    const i = index.get(bucket);
    if (i === undefined) throw new Error(`bucket ${bucket} is not a ${unit} between the extent's first and last times`);
    return i;
  };
  const tracesPerBucket = buckets.map(() => 0);
  for (const row of input.models) tracesPerBucket[indexOf(row.bucket)]! += row.traces;

  const flags: DriftFlag[] = [];
  const flag = (kind: DriftFlag["kind"], subject: string, bucket: number, drift: DriftResult) => {
    if (drift.tested && drift.flagged)
      flags.push({kind, subject, bucket, value: drift.value, baseline: drift.baseline, z: drift.z});
  };

  const evaluators = evaluatorSeries(input, buckets, indexOf, tracesPerBucket);
  for (const series of evaluators)
    for (const point of series.points)
      flag("evaluator failure rate", `${series.evaluatorId} ${series.evaluatorVersion}`, point.bucket, point.drift);

  const models = modelSeries(input.models, buckets, indexOf);
  for (const series of models)
    for (const point of series.points) {
      flag("model error rate", series.model ?? "(no model)", point.bucket, point.errorDrift);
      flag("model cost per trace", series.model ?? "(no model)", point.bucket, point.costDrift);
    }

  const failureModes = failureModeSeries(input, buckets, indexOf);
  for (const series of failureModes)
    for (const point of series.points) flag("failure mode share", series.failureMode, point.bucket, point.drift);

  flags.sort((a, b) => b.bucket - a.bucket || Math.abs(b.z) - Math.abs(a.z));
  return {...empty, unit, buckets, evaluators, models, failureModes, flags};
}

function evaluatorSeries(
  input: MonitorInput,
  buckets: number[],
  indexOf: (bucket: number) => number,
  tracesPerBucket: number[]
): EvaluatorSeries[] {
  const calibrations = new Map(input.calibrations.map((c) => [`${c.evaluatorId}\u0000${c.evaluatorVersion}`, c]));
  const groups = new Map<
    string,
    {id: string; version: string; counts: {pass: number; fail: number; errors: number}[]}
  >();
  for (const row of input.evaluators) {
    const key = `${row.evaluatorId}\u0000${row.evaluatorVersion}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        id: row.evaluatorId,
        version: row.evaluatorVersion,
        counts: buckets.map(() => ({pass: 0, fail: 0, errors: 0}))
      };
      groups.set(key, group);
    }
    const counts = group.counts[indexOf(row.bucket)]!;
    counts.pass += row.pass;
    counts.fail += row.fail;
    counts.errors += row.errors;
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
  rows: readonly ModelBucket[],
  buckets: number[],
  indexOf: (bucket: number) => number
): ModelSeries[] {
  const groups = new Map<string | null, (ModelBucket | null)[]>();
  for (const row of rows) {
    let series = groups.get(row.model);
    if (!series) groups.set(row.model, (series = buckets.map(() => null)));
    series[indexOf(row.bucket)] = row;
  }
  return [...groups.entries()]
    .map(([model, series]) => {
      const errorDrift = proportionDrift(series.map((r) => ({fail: r?.errors ?? 0, total: r?.traces ?? 0})));
      const costPerTrace = series.map((r) => (r && r.costed && r.costUsd !== null ? r.costUsd / r.costed : null));
      const costDrift = robustDrift(costPerTrace);
      return {
        model,
        traces: series.reduce((s, r) => s + (r?.traces ?? 0), 0),
        points: series.map((r, i): ModelPoint => ({
          bucket: buckets[i]!,
          traces: r?.traces ?? 0,
          errors: r?.errors ?? 0,
          errorRate: share(r?.errors ?? 0, r?.traces ?? 0),
          p50: r?.p50 ?? null,
          p95: r?.p95 ?? null,
          p99: r?.p99 ?? null,
          tokens: r?.tokens ?? null,
          costUsd: r?.costUsd ?? null,
          costPerTrace: costPerTrace[i]!,
          errorDrift: errorDrift[i]!,
          costDrift: costDrift[i]!
        }))
      };
    })
    .sort((a, b) => b.traces - a.traces || String(a.model).localeCompare(String(b.model)));
}

/** Per failure mode, the share of the bucket's labelled traces that fail for it, by the traces' own time. */
function failureModeSeries(
  input: MonitorInput,
  buckets: number[],
  indexOf: (bucket: number) => number
): FailureModeSeries[] {
  const labelled = buckets.map(() => 0);
  for (const row of input.labelled) labelled[indexOf(row.bucket)]! += row.labelled;
  const failing = new Map<string, number[]>();
  for (const row of input.failureModes) {
    let counts = failing.get(row.failureMode);
    if (!counts) failing.set(row.failureMode, (counts = buckets.map(() => 0)));
    counts[indexOf(row.bucket)]! += row.failing;
  }
  return [...failing.entries()]
    .map(([failureMode, counts]) => {
      const drift = proportionDrift(counts.map((n, i) => ({fail: n, total: labelled[i]!})));
      return {
        failureMode,
        failing: counts.reduce((sum, n) => sum + n, 0),
        points: counts.map((n, i) => ({bucket: buckets[i]!, labelled: labelled[i]!, failing: n, drift: drift[i]!}))
      };
    })
    .sort((a, b) => b.failing - a.failing || a.failureMode.localeCompare(b.failureMode));
}
