/**
 * @module Everything the calibration page and `plumbline calibrate report` show, read from one workspace:
 * per-evaluator calibration (computed with the shared core functions), the aligned pairs behind each confusion
 * cell, per-annotator agreement, and the three-class figures of imported judgment sets. The traces an evaluator
 * learned from (`inSample`) are never evidence: they are left out of every figure and returned apart. Traces with a
 * label accepted from an evaluator's own draft are left out of that evaluator's figures in the store's queries; how
 * many is returned as `drafted`.
 */
import type {DuckDBConnection} from "@duckdb/node-api";
import {cellOf, type Confusion} from "../../src/core/calibration/confusion.js";
import {judgmentSetStats, type JudgmentSetStats} from "../../src/core/calibration/judgmentSetStats.js";
import type {CalibrationPageData} from "../../src/core/calibration/pageData.js";
import {groupedReports, type CalibrationReport} from "../../src/core/calibration/report.js";
import {
  summarizeCalibration,
  type EvaluatorCalibration,
  type SummaryOptions,
  versionKey
} from "../../src/core/calibration/summary.js";
import {
  readAligned,
  readAnnotatorPairs,
  readDraftedLeftOut,
  readEvaluatorVersions,
  readPopulation,
  type AlignedRow,
  type PopulationRow
} from "../store/calibration.js";
import {tableExists} from "../store/db.js";
import {readSnapshots} from "../store/calibrationSnapshots.js";
import type {InSampleTraces} from "./inSample.js";
import {readImportedClasses, readNullRules} from "../store/importedJudgments.js";
import {DEFAULT_DRAWS} from "../../src/core/calibration/posterior.js";

/** Whether a pair is evidence: not one of the traces its evaluator learned from. */
const outOfSample =
  (inSample: InSampleTraces) =>
  (r: {evaluatorId: string; traceId: string}): boolean =>
    !inSample.get(r.evaluatorId)?.has(r.traceId);

export async function readCalibrationPageData(
  connection: DuckDBConnection,
  inSample: InSampleTraces = new Map()
): Promise<CalibrationPageData> {
  if (!(await tableExists(connection, "judge_verdicts")))
    return {versions: [], aligned: [], inSample: [], populations: [], annotators: [], judgmentSets: [], snapshots: []};
  const evidence = outOfSample(inSample);
  const all = await readAligned(connection);
  const aligned = all.filter(evidence);
  const annotators = new Map<string, {e: string; v: string; a: string; confusion: Confusion}>();
  for (const r of (await readAnnotatorPairs(connection)).filter(evidence)) {
    const key = `${r.evaluatorId}\u0000${r.evaluatorVersion}\u0000${r.annotator}`;
    let entry = annotators.get(key);
    if (!entry)
      annotators.set(
        key,
        (entry = {e: r.evaluatorId, v: r.evaluatorVersion, a: r.annotator, confusion: {tp: 0, fp: 0, fn: 0, tn: 0}})
      );
    entry.confusion[cellOf(r.human, r.judge)]++;
  }
  const sets = new Map<
    string,
    CalibrationPageData["judgmentSets"][number] & {itemIndex: Map<string, number>; raterIndex: Map<string, number>}
  >();
  const rules = await readNullRules(connection);
  for (const c of await readImportedClasses(connection)) {
    let set = sets.get(c.dataset);
    if (!set)
      sets.set(
        c.dataset,
        (set = {
          dataset: c.dataset,
          nullAs: rules.get(c.dataset) ?? "missing",
          raters: [],
          items: [],
          labels: [],
          itemIndex: new Map(),
          raterIndex: new Map()
        })
      );
    let ri = set.raterIndex.get(c.rater);
    if (ri === undefined) {
      set.raterIndex.set(c.rater, (ri = set.raters.length));
      set.raters.push({rater: c.rater, kind: c.kind});
      set.labels.push([]);
    }
    let ii = set.itemIndex.get(c.itemId);
    if (ii === undefined) {
      set.itemIndex.set(c.itemId, (ii = set.items.length));
      set.items.push(c.itemId);
    }
    set.labels[ri]![ii] = c.label;
  }
  const row = (r: AlignedRow) => ({
    e: r.evaluatorId,
    v: r.evaluatorVersion,
    t: r.traceId,
    j: r.judge,
    h: r.human,
    r: r.reasoning,
    x: r.explanation,
    d: r.decidedBy
  });
  return {
    versions: await readEvaluatorVersions(connection),
    aligned: aligned.map(row),
    inSample: all.filter((r) => !evidence(r)).map(row),
    populations: [...populationsOf((await readPopulation(connection)).filter(evidence))].map(([key, confusion]) => {
      const [e, v] = key.split("\u0000") as [string, string];
      return {e, v, confusion};
    }),
    snapshots: await readSnapshots(connection),
    drafted: (await readDraftedLeftOut(connection)).map((d) => ({
      e: d.evaluatorId,
      v: d.evaluatorVersion,
      traces: d.traces
    })),
    annotators: [...annotators.values()],
    judgmentSets: [...sets.values()].map(({itemIndex: _i, raterIndex: _r, ...set}) => ({
      ...set,
      labels: set.labels.map((l) => set.items.map((_, i) => l[i] ?? null))
    }))
  };
}

/** Each version's confusion on its gated population, keyed as `summarizeCalibration` reads it. */
function populationsOf(rows: readonly PopulationRow[]): Map<string, Confusion> {
  const out = new Map<string, Confusion>();
  for (const r of rows) {
    const key = versionKey(r.evaluatorId, r.evaluatorVersion);
    let c = out.get(key);
    if (!c) out.set(key, (c = {tp: 0, fp: 0, fn: 0, tn: 0}));
    c[cellOf(r.human, r.judge)]++;
  }
  return out;
}

export interface CalibrationData {
  evaluators: EvaluatorCalibration[];
  aligned: AlignedRow[];
  /** Per evaluator version, its figures on the traces it learned from: reported apart, never evidence. */
  inSample: {evaluatorId: string; evaluatorVersion: string; report: CalibrationReport}[];
  /** Per evaluator version, labelled traces left out because a label on them was accepted from its own draft. */
  drafted: {evaluatorId: string; evaluatorVersion: string; traces: number}[];
  annotators: {evaluatorId: string; evaluatorVersion: string; annotator: string; report: CalibrationReport}[];
  judgmentSets: {dataset: string; stats: JudgmentSetStats}[];
}

export async function readCalibrationData(
  connection: DuckDBConnection,
  options: SummaryOptions & {evaluatorId?: string; inSample?: InSampleTraces} = {}
): Promise<CalibrationData> {
  // A workspace written by an older Plumbline has none of the calibration tables: it has nothing to show yet.
  if (!(await tableExists(connection, "judge_verdicts")))
    return {evaluators: [], aligned: [], inSample: [], drafted: [], annotators: [], judgmentSets: []};
  const evidence = outOfSample(options.inSample ?? new Map());
  const all = await readAligned(connection, options.evaluatorId);
  const aligned = all.filter(evidence);
  const inSample = [
    ...groupedReports(
      all.filter((r) => !evidence(r)),
      (r) => `${r.evaluatorId}\u0000${r.evaluatorVersion}`,
      {resamples: options.resamples ?? DEFAULT_DRAWS, seed: options.seed ?? 1}
    )
  ].map(([key, report]) => {
    const [evaluatorId, evaluatorVersion] = key.split("\u0000") as [string, string];
    return {evaluatorId, evaluatorVersion, report};
  });
  const versions = (await readEvaluatorVersions(connection)).filter(
    (v) => !options.evaluatorId || v.evaluatorId === options.evaluatorId
  );
  const populations = populationsOf((await readPopulation(connection, options.evaluatorId)).filter(evidence));
  const evaluators = summarizeCalibration(aligned, versions, {...options, populations});
  const annotatorRows = (await readAnnotatorPairs(connection)).filter(
    (r) => (!options.evaluatorId || r.evaluatorId === options.evaluatorId) && evidence(r)
  );
  const reports = groupedReports(
    annotatorRows,
    (r) => `${r.evaluatorId}\u0000${r.evaluatorVersion}\u0000${r.annotator}`,
    {resamples: options.resamples ?? DEFAULT_DRAWS, seed: options.seed ?? 1}
  );
  const annotators = [...reports].map(([key, report]) => {
    const [evaluatorId, evaluatorVersion, annotator] = key.split("\u0000") as [string, string, string];
    return {evaluatorId, evaluatorVersion, annotator, report};
  });
  const classes = await readImportedClasses(connection);
  const rules = await readNullRules(connection);
  // With one evaluator asked for, only the judgment set it was imported from.
  const datasets = [...new Set(classes.map((c) => c.dataset))].filter(
    (d) => !options.evaluatorId || options.evaluatorId.toLowerCase().startsWith(`${d.toLowerCase()}-`)
  );
  const judgmentSets = datasets.map((dataset) => ({
    dataset,
    stats: judgmentSetStats(
      classes.filter((c) => c.dataset === dataset),
      rules.get(dataset) ?? "missing"
    )
  }));
  const drafted = await readDraftedLeftOut(connection, options.evaluatorId);
  return {evaluators, aligned, inSample, drafted, annotators, judgmentSets};
}
