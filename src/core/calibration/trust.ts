/**
 * @module How far an evaluator is trusted, from its MCC against human labels: at 0.6 or more its verdicts can block
 * a deployment in the gate, from 0.4 it may only report, below 0.4 it is not trusted. The status comes with warnings
 * when the evidence is too thin to support it: an interval that crosses a threshold, or too few human labels of one
 * class.
 */
import type {CalibrationReport} from "./report.js";

export type TrustStatus = "blocks" | "reports" | "not-trusted" | "uncalibrated";

export const BLOCK_AT = 0.6;
export const REPORT_AT = 0.4;

export interface TrustAssessment {
  status: TrustStatus;
  reason: string;
  warnings: string[];
}

export function statusOf(mccValue: number): Exclude<TrustStatus, "uncalibrated"> {
  return mccValue >= BLOCK_AT ? "blocks" : mccValue >= REPORT_AT ? "reports" : "not-trusted";
}

export function assessTrust(report: CalibrationReport, options: {minPerClass?: number} = {}): TrustAssessment {
  const minPerClass = options.minPerClass ?? 20;
  const {metric, interval} = report.metrics.mcc;
  const warnings: string[] = [];
  if (report.humanFail < minPerClass)
    warnings.push(`only ${report.humanFail} human-labelled failures (want at least ${minPerClass})`);
  if (report.humanPass < minPerClass)
    warnings.push(`only ${report.humanPass} human-labelled passes (want at least ${minPerClass})`);
  if ("undefined" in metric) {
    return {status: "uncalibrated", reason: `MCC is undefined: ${metric.undefined}`, warnings};
  }
  const status = statusOf(metric.value);
  if ("low" in interval) {
    const crossed = [BLOCK_AT, REPORT_AT].filter((t) => interval.low < t && interval.high >= t);
    if (crossed.length) {
      warnings.push(
        `with n = ${report.n} the 95 % interval ${interval.low.toFixed(2)}–${interval.high.toFixed(2)} crosses ${crossed.join(" and ")}, so it does not support "${status}"`
      );
    }
  } else {
    warnings.push(`no interval: ${interval.undefined}`);
  }
  return {status, reason: `MCC ${metric.value.toFixed(3)}`, warnings};
}
