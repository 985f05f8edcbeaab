/**
 * @module How far an evaluator is trusted, from its MCC against human labels: at 0.6 or more its verdicts can block
 * a deployment in the gate, from 0.4 it may only report, below 0.4 it is not trusted. The status comes with warnings
 * when the evidence is too thin to support it: an interval that crosses a threshold, or too few human labels of one
 * class.
 *
 * Which evidence is enough to block is the trust policy. Under `point` the MCC's value alone decides, as it did
 * before intervals were honest. Under `interval`, the default, an evaluator blocks only when its MCC is at least
 * 0.6, its 95 % interval's lower bound is at least 0.4 (the evidence rules out an evaluator not even fit to
 * report), and each human class has at least `minPerClass` labels (20; below that one mislabelled trace moves TPR
 * or TNR by 5 points or more, and a handful of similar failures can stand for a whole class). One that would block
 * on its point alone reports instead, with "weak evidence" and the reasons. Reporting never blocks, so the policy
 * asks nothing more of a report-only evaluator.
 */
import type {CalibrationReport} from "./report.js";
import type {TrustPolicy} from "../schemas/trustPolicy.js";

export type {TrustMode, TrustPolicy} from "../schemas/trustPolicy.js";

export type TrustStatus = "blocks" | "reports" | "not-trusted" | "uncalibrated";

export const BLOCK_AT = 0.6;
export const REPORT_AT = 0.4;
/** The human labels of each class below which the calibration warns, and the interval policy does not block. */
export const MIN_PER_CLASS = 20;

export const DEFAULT_TRUST_POLICY: TrustPolicy = {mode: "interval", minPerClass: MIN_PER_CLASS};

/** What the status is decided from: an MCC, its interval (or why there is none) and the human labels per class. */
export interface TrustEvidence {
  mcc: number;
  interval: {low: number; high: number} | {undefined: string};
  humanFail: number;
  humanPass: number;
}

export interface TrustAssessment {
  status: TrustStatus;
  reason: string;
  warnings: string[];
  /** The MCC alone would block, but the evidence does not meet the interval policy, so the evaluator reports. */
  weakEvidence: boolean;
}

export function statusOf(mccValue: number): Exclude<TrustStatus, "uncalibrated"> {
  return mccValue >= BLOCK_AT ? "blocks" : mccValue >= REPORT_AT ? "reports" : "not-trusted";
}

/** Too few human labels of a class for the figures to stand for it. */
function classWarnings(humanFail: number, humanPass: number, minPerClass: number): string[] {
  const warnings: string[] = [];
  if (humanFail < minPerClass)
    warnings.push(`only ${humanFail} human-labelled failures (want at least ${minPerClass})`);
  if (humanPass < minPerClass) warnings.push(`only ${humanPass} human-labelled passes (want at least ${minPerClass})`);
  return warnings;
}

/** What the evidence lacks: too few labels of a class, an interval across a threshold or none at all. */
export function evidenceWarnings(evidence: TrustEvidence, minPerClass: number): string[] {
  const warnings = classWarnings(evidence.humanFail, evidence.humanPass, minPerClass);
  const interval = evidence.interval;
  if ("undefined" in interval) return [...warnings, `no interval: ${interval.undefined}`];
  const range = `95 % interval ${interval.low.toFixed(2)}–${interval.high.toFixed(2)}`;
  const crossed = [BLOCK_AT, REPORT_AT].filter((t) => interval.low < t && interval.high >= t);
  if (crossed.length) warnings.push(`${range} crosses ${crossed.join(" and ")}`);
  // A small matrix's posterior can sit wholly below the point, so "crosses" would miss it.
  const below = [BLOCK_AT, REPORT_AT].filter((t) => evidence.mcc >= t && interval.high < t);
  if (below.length) warnings.push(`${range} lies below ${below[below.length - 1]}`);
  return warnings;
}

export function trustOf(evidence: TrustEvidence, policy: TrustPolicy = DEFAULT_TRUST_POLICY): TrustAssessment {
  const warnings = evidenceWarnings(evidence, policy.minPerClass);
  const point = statusOf(evidence.mcc);
  const reason = `MCC ${evidence.mcc.toFixed(3)}`;
  if (point !== "blocks" || policy.mode === "point") return {status: point, reason, warnings, weakEvidence: false};
  const enough =
    "low" in evidence.interval &&
    evidence.interval.low >= REPORT_AT &&
    evidence.humanFail >= policy.minPerClass &&
    evidence.humanPass >= policy.minPerClass;
  return enough
    ? {status: "blocks", reason, warnings, weakEvidence: false}
    : {status: "reports", reason, warnings, weakEvidence: true};
}

/**
 * What the bare status leaves out: "weak evidence: …" for an evaluator held back to reporting, or, for a negative
 * MCC, "worse than chance: is the verdict inverted?" (the judge disagrees with people more often than chance
 * would, which is most often a verdict read the wrong way round); null otherwise.
 */
export function trustNote(
  trust: Pick<TrustAssessment, "status" | "warnings" | "weakEvidence">,
  mcc: number | null
): string | null {
  if (trust.weakEvidence) return `weak evidence: ${trust.warnings.join("; ")}`;
  if (mcc !== null && mcc < 0 && trust.status === "not-trusted") return "worse than chance: is the verdict inverted?";
  return null;
}

/** The status in the words every report uses: "blocks", "reports (weak evidence: …)", "not-trusted (worse than …)". */
export function trustText(
  trust: Pick<TrustAssessment, "status" | "warnings" | "weakEvidence">,
  mcc: number | null
): string {
  const note = trustNote(trust, mcc);
  return note ? `${trust.status} (${note})` : trust.status;
}

export function assessTrust(report: CalibrationReport, policy: Partial<TrustPolicy> = {}): TrustAssessment {
  const {metric, interval} = report.metrics.mcc;
  const full = {...DEFAULT_TRUST_POLICY, ...policy};
  if ("undefined" in metric) {
    const warnings = classWarnings(report.humanFail, report.humanPass, full.minPerClass);
    return {status: "uncalibrated", reason: `MCC is undefined: ${metric.undefined}`, warnings, weakEvidence: false};
  }
  return trustOf({mcc: metric.value, interval, humanFail: report.humanFail, humanPass: report.humanPass}, full);
}
