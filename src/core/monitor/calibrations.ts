/** @module Which evaluator versions the monitor can correct, from the specs' recorded calibration. */
import type {EvaluatorSpec} from "../schemas/evaluator.js";
import type {MonitorCalibration} from "./monitorData.js";

/**
 * The confusion each calibrated version's verdicts are corrected with: the population's, since the monitor corrects
 * every trace it sees, other failure modes' included, as the gate does; the evidence's where no population was
 * recorded. Figures belong to the version they were measured on, so verdicts of any other version stay uncorrected.
 */
export function monitorCalibrations(specs: readonly EvaluatorSpec[]): MonitorCalibration[] {
  return specs.flatMap((spec) =>
    spec.calibration
      ? [
          {
            evaluatorId: spec.id,
            evaluatorVersion: spec.calibration.evaluatorVersion,
            confusion: spec.calibration.population ?? spec.calibration.confusion
          }
        ]
      : []
  );
}
