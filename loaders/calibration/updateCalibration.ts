/**
 * @module `plumbline calibrate update`'s work for one spec: its current version's verdicts against the workspace's
 * current ground truth, without the traces it learned from, written into the spec file's `calibration` block (the
 * rest of the file left byte for byte) and kept as a snapshot in the store.
 */
import {readFileSync, renameSync, writeFileSync} from "node:fs";
import type {DuckDBConnection} from "@duckdb/node-api";
import {withCalibrationBlock} from "../../src/core/calibration/calibrationBlock.js";
import type {Confusion} from "../../src/core/calibration/confusion.js";
import {heldOutCalibration, sampleSize, snapshotOf} from "../../src/core/calibration/specCalibration.js";
import type {SpecCalibration} from "../../src/core/schemas/evaluator.js";
import type {LoadedSpec} from "../judge/specFile.js";
import {readAligned, readDraftedLeftOut, readPopulation} from "../store/calibration.js";
import {appendSnapshot, readLabelSet} from "../store/calibrationSnapshots.js";

export type UpdateOutcome =
  | {kind: "no-verdicts"; hint: string}
  | {kind: "no-labels"; hint: string}
  | {kind: "current"; calibration: SpecCalibration}
  | {
      kind: "updated";
      calibration: SpecCalibration & {labelSet: string};
      inSample: Confusion;
      previous: SpecCalibration | null;
    };

export interface UpdateOptions {
  workspace: string;
  now: Date;
  resamples?: number;
  seed?: number;
}

/** The current version's held-out calibration, as the gate would record it; null when it has no verdicts. */
export async function currentCalibration(
  connection: DuckDBConnection,
  loaded: LoadedSpec,
  options: UpdateOptions
): Promise<{calibration: SpecCalibration & {labelSet: string}; inSample: Confusion} | null> {
  const {spec, version} = loaded;
  const evidence = (await readAligned(connection, spec.id)).filter((r) => r.evaluatorVersion === version);
  const population = (await readPopulation(connection, spec.id)).filter((r) => r.evaluatorVersion === version);
  if (!population.length && !(await hasVerdicts(connection, spec.id, version))) return null;
  const labelSet = await readLabelSet(connection, spec.criterion);
  const inSample = new Set(spec.calibration?.train?.traceIds ?? []);
  const drafted =
    (await readDraftedLeftOut(connection, spec.id)).find((d) => d.evaluatorVersion === version)?.traces ?? 0;
  const result = heldOutCalibration(evidence, population, {
    evaluatorVersion: version,
    criterion: spec.criterion,
    labels:
      `workspace ${options.workspace}: ground truth of "${spec.criterion}" (${labelSet.rows} traces)` +
      (inSample.size ? `, without the ${inSample.size} the evaluator learned from` : "") +
      (drafted ? `, without the ${drafted} labelled by accepting its own drafts` : ""),
    labelSet: labelSet.version,
    measuredAt: options.now.toISOString(),
    inSample,
    ...(spec.calibration ? {previous: spec.calibration} : {})
  });
  return {calibration: {...result.calibration, labelSet: labelSet.version}, inSample: result.inSample};
}

async function hasVerdicts(connection: DuckDBConnection, id: string, version: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    "SELECT count(*)::INTEGER FROM judge_verdicts WHERE evaluator_id = ? AND evaluator_version = ? AND outcome IN ('pass', 'fail')",
    [id, version]
  );
  return Number(reader.getRows()[0]?.[0]) > 0;
}

const sameFigures = (a: SpecCalibration, b: SpecCalibration) =>
  a.evaluatorVersion === b.evaluatorVersion &&
  a.labelSet === b.labelSet &&
  a.split === b.split &&
  JSON.stringify(a.confusion) === JSON.stringify(b.confusion) &&
  JSON.stringify(a.population ?? null) === JSON.stringify(b.population ?? null);

export async function updateCalibration(
  connection: DuckDBConnection,
  loaded: LoadedSpec,
  options: UpdateOptions
): Promise<UpdateOutcome> {
  const {spec, version} = loaded;
  const current = await currentCalibration(connection, loaded, options);
  if (!current)
    return {
      kind: "no-verdicts",
      hint: `no verdicts of ${spec.id} ${version} in the workspace yet: run \`plumbline judge run --evaluator ${spec.id}\` first`
    };
  if (sampleSize(current.calibration.confusion) === 0)
    return {
      kind: "no-labels",
      hint: `no ground truth of "${spec.criterion}" on traces ${spec.id} judged${current.inSample.tp + current.inSample.fp + current.inSample.fn + current.inSample.tn ? " apart from those it learned from" : ""}: label some (plumbline start, then Annotate) and run this again`
    };
  // The same version on the same labels gives the same figures: the file and the snapshots stay as they are.
  if (spec.calibration && sameFigures(spec.calibration, current.calibration))
    return {kind: "current", calibration: spec.calibration};
  const text = readFileSync(loaded.path, "utf8");
  const temp = `${loaded.path}.${process.pid}.tmp`;
  writeFileSync(temp, withCalibrationBlock(text, current.calibration));
  renameSync(temp, loaded.path);
  await appendSnapshot(connection, snapshotOf(spec.id, current.calibration, "calibrate update"));
  return {kind: "updated", ...current, previous: spec.calibration ?? null};
}
