/**
 * @module Why a version has no figures (n = 0), in words: a judge whose every answer was unreadable has verdicts
 * but none to compare, which is not the same as a criterion nobody has labelled yet.
 */
import type {VersionCalibration} from "./summary.js";

export function noFiguresReason(v: VersionCalibration): string {
  const {errors, unlabeled} = v.info;
  if (errors > 0 && unlabeled.total === 0)
    return `every answer of this version could not be read (${errors} errors, no verdict), so there is nothing to compare with the human labels`;
  return "no human labels for its criterion yet";
}
