/**
 * @module The calibration block a spec carries (`SpecCalibration`), from evaluator verdicts paired with human labels,
 * and what the gate reads back from it: whether the figures belong to the spec's current version, and its status.
 */
import type {Outcome, SpecCalibration} from "../schemas/evaluator.js";
import {confusion, type Confusion} from "./confusion.js";
import {valueOr} from "./metric.js";
import {statusOf, type TrustStatus} from "./trust.js";
import {reportFromConfusion} from "./report.js";

export interface CalibrationOfOptions {
  evaluatorVersion: string;
  criterion: string;
  labels: string;
  split: SpecCalibration["split"];
  measuredAt: string;
  resamples?: number;
  seed?: number;
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
  const report = reportFromConfusion(c, {resamples: options.resamples ?? 1000, seed: options.seed ?? 1});
  const {metric, interval} = report.metrics.mcc;
  return {
    evaluatorVersion: options.evaluatorVersion,
    criterion: options.criterion,
    labels: options.labels,
    measuredAt: options.measuredAt,
    split: options.split,
    confusion: {...c},
    mcc: valueOr(metric),
    ...("undefined" in metric ? {mccUndefined: metric.undefined} : {}),
    mccInterval: "low" in interval ? [interval.low, interval.high] : null,
    ...(options.train ? {train: options.train} : {}),
    ...(options.baseline ? {baseline: options.baseline} : {})
  };
}

/**
 * The gate status a spec's recorded calibration gives its current version: figures measured on another version
 * (or none, or an undefined MCC) leave it uncalibrated, whatever they say.
 */
export function specTrustStatus(
  calibration: SpecCalibration | undefined,
  currentVersion: string
): {status: TrustStatus; reason: string} {
  if (!calibration) return {status: "uncalibrated", reason: "no calibration recorded"};
  if (calibration.evaluatorVersion !== currentVersion) {
    return {
      status: "uncalibrated",
      reason: `calibrated as ${calibration.evaluatorVersion}, but the spec is now ${currentVersion}`
    };
  }
  if (calibration.mcc === null)
    return {status: "uncalibrated", reason: `MCC undefined: ${calibration.mccUndefined ?? "no reason recorded"}`};
  return {
    status: statusOf(calibration.mcc),
    reason: `MCC ${calibration.mcc.toFixed(3)} on ${calibration.split} labels (n ${calibration.confusion.tp + calibration.confusion.fp + calibration.confusion.fn + calibration.confusion.tn})`
  };
}
