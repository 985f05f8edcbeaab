/**
 * @module The gate's verdict on a candidate from its evaluators' decisions: blocked when any blocking evaluator is
 * below its threshold, or could not judge at all (every call failed), naming the failure modes responsible.
 */
import {BLOCK_AT, REPORT_AT, type TrustPolicy} from "../calibration/trust.js";
import type {Coverage, GateEvaluator, GateRun} from "../schemas/gateReport.js";
import {GATE_REPORT_FORMAT} from "../schemas/gateReport.js";

export interface RunMeta {
  runId: string;
  label: string;
  at: string;
  durationMs: number;
  suite: string;
  candidate: GateRun["candidate"];
  defaultMinPassRate: number;
  trust: TrustPolicy;
}

export function blockingModes(evaluators: readonly GateEvaluator[]): GateRun["blockedBy"] {
  const byMode = new Map<string, string[]>();
  for (const e of evaluators) {
    if (e.role !== "blocks" || (e.outcome !== "blocked" && e.outcome !== "error")) continue;
    byMode.set(e.failureMode, [...(byMode.get(e.failureMode) ?? []), e.id]);
  }
  return [...byMode].map(([failureMode, ids]) => ({failureMode, evaluators: ids}));
}

export function gateRun(meta: RunMeta, evaluators: GateEvaluator[], coverage: Coverage): GateRun {
  const blockedBy = blockingModes(evaluators);
  return {
    format: GATE_REPORT_FORMAT,
    runId: meta.runId,
    label: meta.label,
    at: meta.at,
    durationMs: meta.durationMs,
    suite: meta.suite,
    candidate: meta.candidate,
    blocked: blockedBy.length > 0,
    blockedBy,
    evaluators,
    coverage,
    thresholds: {
      block: BLOCK_AT,
      report: REPORT_AT,
      defaultMinPassRate: meta.defaultMinPassRate,
      trust: meta.trust
    }
  };
}

/** 1 when the candidate is blocked, 0 otherwise (2, for usage, is the command's business). */
export function exitStatusOf(run: GateRun): 0 | 1 {
  return run.blocked ? 1 : 0;
}
