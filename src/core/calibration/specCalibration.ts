/**
 * @module The calibration block a spec carries (`SpecCalibration`), from evaluator verdicts paired with human labels,
 * and what the gate reads back from it: whether the figures belong to the spec's current version, and its status.
 */
import type {Outcome, SpecCalibration} from "../schemas/evaluator.js";
import {confusion, type Confusion} from "./confusion.js";
import {mcc} from "./judgeAgreement.js";
import {valueOr} from "./metric.js";
import {mccInterval} from "./posterior.js";
import {DEFAULT_TRUST_POLICY, trustOf, type TrustAssessment, type TrustPolicy} from "./trust.js";
import type {CalibrationSnapshot} from "../schemas/calibrationSnapshot.js";

export interface CalibrationOfOptions {
  evaluatorVersion: string;
  criterion: string;
  labels: string;
  labelSet?: string;
  population?: Confusion;
  split: SpecCalibration["split"];
  measuredAt: string;
  train?: SpecCalibration["train"];
  baseline?: SpecCalibration["baseline"];
}

export function calibrationOf(
  pairs: Iterable<{human: Outcome; judge: Outcome}>,
  options: CalibrationOfOptions
): SpecCalibration {
  return calibrationFromConfusion(confusion(pairs), options);
}

export function calibrationFromConfusion(c: Confusion, options: CalibrationOfOptions): SpecCalibration {
  // The interval depends on the matrix alone (default draws and seed), so the gate can recompute it exactly.
  const metric = mcc(c);
  const interval = "undefined" in metric ? null : mccInterval(c);
  return {
    evaluatorVersion: options.evaluatorVersion,
    criterion: options.criterion,
    labels: options.labels,
    measuredAt: options.measuredAt,
    ...(options.labelSet ? {labelSet: options.labelSet} : {}),
    split: options.split,
    confusion: {...c},
    ...(options.population ? {population: {...options.population}} : {}),
    mcc: valueOr(metric),
    ...("undefined" in metric ? {mccUndefined: metric.undefined} : {}),
    mccInterval: interval && "low" in interval ? [interval.low, interval.high] : null,
    ...(interval && "low" in interval ? {mccIntervalUndefined: interval.undefinedShare} : {}),
    ...(options.train ? {train: options.train} : {}),
    ...(options.baseline ? {baseline: options.baseline} : {})
  };
}

/**
 * The gate status a spec's recorded calibration gives its current version under a trust policy: figures measured
 * on another version (or none, or an undefined MCC) leave it uncalibrated, whatever they say. The interval is
 * recomputed from the recorded matrix, so that a spec written while intervals came from the bootstrap (which gave
 * a perfect small matrix no width) is judged on the same honest interval as a new one; for a new one they agree.
 */
export function specTrustStatus(
  calibration: SpecCalibration | undefined,
  currentVersion: string,
  policy: TrustPolicy = DEFAULT_TRUST_POLICY
): TrustAssessment {
  const none = {warnings: [], weakEvidence: false};
  if (!calibration) return {status: "uncalibrated", reason: "no calibration recorded", ...none};
  if (calibration.evaluatorVersion !== currentVersion) {
    return {
      status: "uncalibrated",
      reason: `calibrated as ${calibration.evaluatorVersion}, but the spec is now ${currentVersion}`,
      ...none
    };
  }
  if (calibration.mcc === null)
    return {
      status: "uncalibrated",
      reason: `MCC undefined: ${calibration.mccUndefined ?? "no reason recorded"}`,
      ...none
    };
  const c = calibration.confusion;
  const interval = mccInterval(c);
  const trust = trustOf({mcc: calibration.mcc, interval, humanFail: c.tp + c.fn, humanPass: c.fp + c.tn}, policy);
  const range = "low" in interval ? ` [${interval.low.toFixed(2)}, ${interval.high.toFixed(2)}]` : "";
  return {
    ...trust,
    reason: `MCC ${calibration.mcc.toFixed(3)}${range} on ${calibration.split} labels (n ${c.tp + c.fp + c.fn + c.tn}: ${c.tp + c.fn} fail, ${c.fp + c.tn} pass)`
  };
}

export interface TracePair {
  traceId: string;
  human: Outcome;
  judge: Outcome;
}

export interface HeldOutOptions extends Omit<CalibrationOfOptions, "split" | "population" | "train" | "baseline"> {
  /** The traces the evaluator learned from: never evidence. */
  inSample: ReadonlySet<string>;
  /** The block being refreshed: its training record and baseline are kept, they describe how the spec was made. */
  previous?: SpecCalibration;
}

export interface HeldOutCalibration {
  calibration: SpecCalibration;
  /** The in-sample traces' figures, reported apart and never counted. */
  inSample: Confusion;
}

/**
 * A spec's calibration from the verdicts of its current version: the evidence (`evidence`, traces about this
 * failure mode) and the gated population (`population`, other failure modes as passes), both without the traces it
 * learned from. With none learned from, the split is `all`.
 */
export function heldOutCalibration(
  evidence: readonly TracePair[],
  population: readonly TracePair[],
  options: HeldOutOptions
): HeldOutCalibration {
  const outOfSample = (p: TracePair) => !options.inSample.has(p.traceId);
  const {inSample: _i, previous, ...rest} = options;
  const calibration = calibrationFromConfusion(confusion(evidence.filter(outOfSample)), {
    ...rest,
    split: options.inSample.size ? "held-out" : "all",
    population: confusion(population.filter(outOfSample)),
    ...(previous?.train ? {train: previous.train} : {}),
    ...(previous?.baseline ? {baseline: previous.baseline} : {})
  });
  return {calibration, inSample: confusion(evidence.filter((p) => !outOfSample(p)))};
}

export const sampleSize = (c: Confusion) => c.tp + c.fp + c.fn + c.tn;

/** The snapshot that keeps a recorded calibration in the store. */
export function snapshotOf(
  evaluatorId: string,
  calibration: SpecCalibration & {labelSet: string},
  source: string
): CalibrationSnapshot {
  return {
    evaluatorId,
    evaluatorVersion: calibration.evaluatorVersion,
    criterion: calibration.criterion,
    labelSet: calibration.labelSet,
    takenAt: calibration.measuredAt,
    source,
    split: calibration.split,
    n: sampleSize(calibration.confusion),
    confusion: {...calibration.confusion},
    mcc: calibration.mcc,
    mccInterval: calibration.mccInterval
  };
}
