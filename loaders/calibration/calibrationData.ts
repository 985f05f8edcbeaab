/**
 * @module Everything the calibration page and `plumbline calibrate report` show, read from one workspace:
 * per-evaluator calibration (computed with the shared core functions), the aligned pairs behind each confusion
 * cell, per-annotator agreement, and the three-class figures of imported judgment sets.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {judgmentSetStats, type JudgmentSetStats} from "../../src/core/calibration/judgmentSetStats.js";
import {groupedReports, type CalibrationReport} from "../../src/core/calibration/report.js";
import {summarizeCalibration, type EvaluatorCalibration, type SummaryOptions} from "../../src/core/calibration/summary.js";
import {readAligned, readAnnotatorPairs, readEvaluatorVersions, type AlignedRow} from "../store/calibration.js";
import {readImportedClasses} from "../store/importedJudgments.js";

export interface CalibrationData {
  evaluators: EvaluatorCalibration[];
  aligned: AlignedRow[];
  annotators: {evaluatorId: string; evaluatorVersion: string; annotator: string; report: CalibrationReport}[];
  judgmentSets: {dataset: string; stats: JudgmentSetStats}[];
}

export async function readCalibrationData(connection: DuckDBConnection, options: SummaryOptions & {evaluatorId?: string} = {}): Promise<CalibrationData> {
  const aligned = await readAligned(connection, options.evaluatorId);
  const versions = (await readEvaluatorVersions(connection)).filter((v) => !options.evaluatorId || v.evaluatorId === options.evaluatorId);
  const evaluators = summarizeCalibration(aligned, versions, options);
  const annotatorRows = (await readAnnotatorPairs(connection)).filter((r) => !options.evaluatorId || r.evaluatorId === options.evaluatorId);
  const reports = groupedReports(annotatorRows, (r) => `${r.evaluatorId}\u0000${r.evaluatorVersion}\u0000${r.annotator}`, {resamples: options.resamples ?? 1000, seed: options.seed ?? 1});
  const annotators = [...reports].map(([key, report]) => {
    const [evaluatorId, evaluatorVersion, annotator] = key.split("\u0000") as [string, string, string];
    return {evaluatorId, evaluatorVersion, annotator, report};
  });
  const classes = await readImportedClasses(connection);
  const datasets = [...new Set(classes.map((c) => c.dataset))];
  const judgmentSets = datasets.map((dataset) => ({dataset, stats: judgmentSetStats(classes.filter((c) => c.dataset === dataset))}));
  return {evaluators, aligned, annotators, judgmentSets};
}
