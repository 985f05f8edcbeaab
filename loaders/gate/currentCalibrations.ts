/**
 * @module What the workspace's labels say now about each spec the gate will decide on: its current version's
 * verdicts against the ground truth as it is, without the traces it learned from, as `calibrate update` would record
 * them. The gate only compares these with the spec's recorded figures (see `labelDrift`); a CI gate without a
 * workspace, or a workspace without the verdicts, decides on the spec alone.
 */
import {existsSync} from "node:fs";
import type {SpecCalibration} from "../../src/core/schemas/evaluator.js";
import {currentCalibration} from "../calibration/updateCalibration.js";
import type {LoadedSpec} from "../judge/specFile.js";
import {dbPath, tableExists, withReadConnection} from "../store/db.js";

export async function readCurrentCalibrations(
  workspace: string,
  specs: readonly LoadedSpec[],
  now: Date
): Promise<Map<string, SpecCalibration>> {
  const out = new Map<string, SpecCalibration>();
  const recorded = specs.filter((l) => l.spec.calibration?.evaluatorVersion === l.version);
  if (!recorded.length || !existsSync(dbPath(workspace))) return out;
  await withReadConnection(workspace, async (connection) => {
    if (!(await tableExists(connection, "judge_verdicts"))) return;
    for (const loaded of recorded) {
      const current = await currentCalibration(connection, loaded, {workspace, now});
      if (current) out.set(loaded.spec.id, current.calibration);
    }
  });
  return out;
}
