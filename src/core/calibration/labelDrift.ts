/**
 * @module Whether the labels people added since a spec's calibration was recorded disagree with it. The gate
 * decides on the recorded figures (a CI job may have no workspace); where it has one, it measures the current
 * version's verdicts against the current ground truth and warns when the label set changed and the new figures
 * give another status, or an MCC further from the recorded one than half its interval's width.
 */
import type {SpecCalibration} from "../schemas/evaluator.js";
import {sampleSize, specTrustStatus} from "./specCalibration.js";
import {DEFAULT_TRUST_POLICY, type TrustPolicy} from "./trust.js";

/**
 * The warning, or null when the labels have not changed or still agree. Statuses are read under the gate's trust
 * policy, so that labels which turn weak evidence into strong (or back) are news too.
 */
export function labelDrift(
  recorded: SpecCalibration,
  current: SpecCalibration,
  policy: TrustPolicy = DEFAULT_TRUST_POLICY
): string | null {
  if (recorded.labelSet !== undefined && recorded.labelSet === current.labelSet) return null;
  const statusOf = (c: SpecCalibration) => specTrustStatus(c, c.evaluatorVersion, policy).status;
  const before = statusOf(recorded);
  const now = statusOf(current);
  const halfWidth = recorded.mccInterval ? (recorded.mccInterval[1] - recorded.mccInterval[0]) / 2 : 0;
  const moved =
    recorded.mcc !== null && current.mcc !== null ? Math.abs(current.mcc - recorded.mcc) > halfWidth : false;
  if (before === now && !moved) return null;
  const mcc = (c: SpecCalibration) => (c.mcc === null ? "undefined" : c.mcc.toFixed(3));
  return (
    `labels changed since ${recorded.measuredAt.slice(0, 10)}: MCC now ${mcc(current)} on n ${sampleSize(current.confusion)}` +
    ` (${current.labelSet ?? "current labels"}; recorded ${mcc(recorded)} on n ${sampleSize(recorded.confusion)}` +
    `${before === now ? "" : `, ${before} → ${now}`}); run \`plumbline calibrate update\``
  );
}
