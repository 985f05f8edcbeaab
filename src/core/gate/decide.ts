/**
 * @module One evaluator's part in the gate. Before running: its role, from the calibration the spec records for its
 * current version under the run's trust policy (MCC ≥ 0.6 blocks, under the interval policy only on strong enough
 * evidence; 0.4–0.6 reports; below 0.4 or uncalibrated — including figures measured on an older version — it is
 * skipped and never run). After running: its pass rate against the threshold, and the raw failure rate beside the
 * one corrected for the evaluator's measured errors on the population it gates.
 */
import {correctedFailureRate} from "../calibration/correction.js";
import {DEFAULT_TRUST_POLICY, type TrustPolicy, type TrustStatus} from "../calibration/trust.js";
import {valueOr} from "../calibration/metric.js";
import {sampleSize, specTrustStatus} from "../calibration/specCalibration.js";
import {labelDrift} from "../calibration/labelDrift.js";
import type {EvaluatorSpec, SpecCalibration} from "../schemas/evaluator.js";
import type {GateEvaluator, GateOutcome, GateRole} from "../schemas/gateReport.js";

export interface EvaluatorPlan {
  id: string;
  file: string;
  kind: EvaluatorSpec["kind"];
  failureMode: string;
  criterion: string;
  scope: EvaluatorSpec["scope"];
  evaluatorVersion: string;
  role: GateRole;
  calibrationStatus: TrustStatus;
  reason: string;
  warnings: string[];
  weakEvidence: boolean;
  calibration: SpecCalibration | null;
  versionMatch: boolean | null;
  snapshot: GateEvaluator["snapshot"];
  labelDrift: string | null;
  minPassRate: number;
  thresholdFrom: "spec" | "option";
}

export function roleOf(status: TrustStatus): GateRole {
  return status === "blocks" ? "blocks" : status === "reports" ? "reports" : "skipped";
}

/**
 * The threshold is the spec's own when it sets one, else the run's default. `current`, when the gate has a workspace,
 * is the current version's calibration on the labels as they are now: it never changes the role (the spec's
 * recorded figures decide), it only warns when the two disagree.
 */
export function planEvaluator(
  spec: EvaluatorSpec,
  evaluatorVersion: string,
  file: string,
  defaultMinPassRate: number,
  policy: TrustPolicy = DEFAULT_TRUST_POLICY,
  current?: SpecCalibration
): EvaluatorPlan {
  const {status, reason, warnings, weakEvidence} = specTrustStatus(spec.calibration, evaluatorVersion, policy);
  const recorded = spec.calibration;
  const versionMatch = recorded ? recorded.evaluatorVersion === evaluatorVersion : null;
  return {
    id: spec.id,
    file,
    kind: spec.kind,
    failureMode: spec.failureMode.trim(),
    criterion: spec.criterion,
    scope: spec.scope,
    evaluatorVersion,
    role: roleOf(status),
    calibrationStatus: status,
    reason,
    warnings,
    weakEvidence,
    calibration: recorded ?? null,
    versionMatch,
    snapshot: recorded
      ? {
          at: recorded.measuredAt,
          labelSet: recorded.labelSet ?? null,
          n: sampleSize(recorded.confusion),
          split: recorded.split
        }
      : null,
    labelDrift: recorded && versionMatch && current ? labelDrift(recorded, current, policy) : null,
    minPassRate: spec.gate?.minPassRate ?? defaultMinPassRate,
    thresholdFrom: spec.gate ? "spec" : "option"
  };
}

export interface RunCounts {
  pass: number;
  fail: number;
  errors: number;
  failing: string[];
  calls: number;
}

export interface DecideOptions {
  /** Posterior draws for the corrected rate's interval (default 2,000) and their seed. */
  resamples?: number;
  seed?: number;
}

/** The decision for a planned evaluator; `counts` is null when it was skipped. */
export function decideEvaluator(
  plan: EvaluatorPlan,
  counts: RunCounts | null,
  options: DecideOptions = {}
): GateEvaluator {
  const base = {...plan, failingTraces: counts?.failing ?? [], calls: counts?.calls ?? 0};
  if (plan.role === "skipped" || counts === null) {
    return {...base, counts: null, passRate: null, failRate: null, correctedFailRate: null, outcome: "skipped"};
  }
  const judged = counts.pass + counts.fail;
  const traces = judged + counts.errors;
  const passRate = judged ? counts.pass / judged : null;
  const failRate = judged ? counts.fail / judged : null;
  let correctedFailRate: GateEvaluator["correctedFailRate"] = null;
  if (plan.calibration && judged) {
    // The correction applies to every gated trace, other failure modes' included, so it reads the error rates
    // measured on that population; figures recorded before it was kept fall back to the evidence's.
    const c = correctedFailureRate(
      plan.calibration.population ?? plan.calibration.confusion,
      {fail: counts.fail, total: judged},
      {resamples: options.resamples ?? 2000, seed: options.seed ?? 1}
    );
    correctedFailRate = {
      value: valueOr(c.corrected),
      interval: "low" in c.interval ? [c.interval.low, c.interval.high] : null,
      ...("low" in c.interval ? {undefinedShare: c.interval.undefinedShare} : {}),
      undefined:
        "undefined" in c.corrected ? c.corrected.undefined : "undefined" in c.interval ? c.interval.undefined : null
    };
  }
  let outcome: GateOutcome;
  if (passRate === null) outcome = "error";
  // Compared in counts, so that 19 of 20 meets 0.95 whatever the floating-point rounding of 19 / 20.
  else if (counts.pass >= plan.minPassRate * judged - 1e-9) outcome = "passed";
  else outcome = plan.role === "blocks" ? "blocked" : "warned";
  return {
    ...base,
    counts: {traces, pass: counts.pass, fail: counts.fail, errors: counts.errors},
    passRate,
    failRate,
    correctedFailRate,
    outcome
  };
}
