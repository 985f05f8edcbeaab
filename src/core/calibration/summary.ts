/**
 * @module Calibration per evaluator: every version's report, gate status and corrected failure rate, in the order
 * the versions appeared. The newest version is the current one; a version with no aligned human labels is
 * uncalibrated, whatever its predecessors scored, and their figures are history.
 */
import {assessTrust, type TrustAssessment, type TrustPolicy} from "./trust.js";
import {DEFAULT_DRAWS} from "./posterior.js";
import {correctedFailureRate, type CorrectedRate} from "./correction.js";
import {confusion, type Confusion} from "./confusion.js";
import {reportFromConfusion, type CalibrationReport} from "./report.js";
import type {Outcome} from "../schemas/evaluator.js";

export interface AlignedPair {
  evaluatorId: string;
  evaluatorVersion: string;
  human: Outcome;
  judge: Outcome;
}

export interface VersionInfo {
  evaluatorId: string;
  evaluatorVersion: string;
  criterion: string;
  failureMode: string;
  kind: string;
  judgeModel: string | null;
  firstSeen: string;
  unlabeled: {fail: number; total: number};
  errors: number;
}

export interface VersionCalibration {
  info: VersionInfo;
  report: CalibrationReport;
  gate: TrustAssessment;
  correction: CorrectedRate;
}

export interface EvaluatorCalibration {
  evaluatorId: string;
  criterion: string;
  failureMode: string;
  /** Oldest first; the last is the current version. */
  versions: VersionCalibration[];
  current: VersionCalibration;
}

export interface SummaryOptions {
  /** Random draws behind each interval (default 4,000) and their seed. */
  resamples?: number;
  seed?: number;
  /** Which evidence lets an evaluator block (default: the interval policy). */
  trust?: TrustPolicy;
  /**
   * Per version (`<evaluator id>\u0000<version>`), its confusion on the population its unlabeled traffic comes from:
   * traces failing another failure mode counted as passes. The corrected failure rate reads its error rates there;
   * without one, from the evidence.
   */
  populations?: ReadonlyMap<string, Confusion>;
}

/** The `populations` key of one evaluator version. */
export const versionKey = (evaluatorId: string, evaluatorVersion: string) => `${evaluatorId}\u0000${evaluatorVersion}`;

export function summarizeCalibration(
  pairs: readonly AlignedPair[],
  versions: readonly VersionInfo[],
  options: SummaryOptions = {}
): EvaluatorCalibration[] {
  const byVersion = new Map<string, AlignedPair[]>();
  for (const p of pairs) {
    const key = `${p.evaluatorId}\u0000${p.evaluatorVersion}`;
    let list = byVersion.get(key);
    if (!list) byVersion.set(key, (list = []));
    list.push(p);
  }
  const out = new Map<string, EvaluatorCalibration>();
  const sorted = [...versions].sort(
    (a, b) => a.evaluatorId.localeCompare(b.evaluatorId) || a.firstSeen.localeCompare(b.firstSeen)
  );
  for (const info of sorted) {
    const key = versionKey(info.evaluatorId, info.evaluatorVersion);
    const c = confusion(byVersion.get(key) ?? []);
    const report = reportFromConfusion(c, {resamples: options.resamples ?? DEFAULT_DRAWS, seed: options.seed ?? 1});
    const calibration: VersionCalibration = {
      info,
      report,
      gate: assessTrust(report, options.trust),
      correction: correctedFailureRate(options.populations?.get(key) ?? c, info.unlabeled, {
        resamples: options.resamples ?? DEFAULT_DRAWS,
        seed: options.seed ?? 1
      })
    };
    let evaluator = out.get(info.evaluatorId);
    if (!evaluator) {
      evaluator = {
        evaluatorId: info.evaluatorId,
        criterion: info.criterion,
        failureMode: info.failureMode,
        versions: [],
        current: calibration
      };
      out.set(info.evaluatorId, evaluator);
    }
    evaluator.versions.push(calibration);
    evaluator.current = calibration;
    evaluator.criterion = info.criterion;
    evaluator.failureMode = info.failureMode;
  }
  return [...out.values()];
}
