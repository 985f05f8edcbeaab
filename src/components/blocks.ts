/**
 * @module Plumbline's views as building blocks for notebooks: import this one module from a page in
 * `src/notebooks/` and hand each block plain data, the JSON or Arrow files the app's data loaders write. The blocks
 * wrap the views Plumbline's own pages show, so a notebook looks and behaves like those pages; docs/notebooks.md
 * lists each block's inputs. Every block returns a DOM node for `display`; none writes to the workspace.
 */
import * as Plot from "@observablehq/plot";
import type {Table} from "apache-arrow";
import type {CalibrationPageData} from "../core/calibration/pageData.js";
import type {ClusterPageData, FailureModeSummary} from "../core/clusters/pageData.js";
import type {SuitePageData} from "../core/gate/pageData.js";
import {
  restrictCalibration,
  sliceCalibration,
  type CalibrationSlice,
  type VerdictLike
} from "../core/notebooks/calibrationSlices.js";
import type {Metric} from "../core/calibration/metric.js";
import {agreementView} from "./agreementView.js";
import {connectAnnotations, type AnnotationSnapshot} from "./annotationClient.js";
import {mccOverTime} from "./calibrationHistory.js";
import {calibrationView, type ExportLinks} from "./calibrationView.js";
import {clustersView} from "./clustersView.js";
import {detailReader} from "./detailReader.js";
import {el, table} from "./dom.js";
import {failureModeTable} from "./failureModeTable.js";
import {failureModeTrend as trendChart} from "./failureModeTrend.js";
import {suiteView} from "./suiteView.js";
import {traceList} from "./traceList.js";
import {traceView} from "./traceView.js";

export {sliceCalibration, restrictCalibration};
export type {CalibrationSlice, VerdictLike};

const metricText = (m: Metric) => ("value" in m ? m.value.toFixed(3) : `undefined (${m.undefined})`);
const metricValue = (m: Metric) => ("value" in m ? m.value : null);

/**
 * A table of slices from `sliceCalibration`: one row per combination of the slicing columns, with its labelled
 * pairs, confusion matrix and MCC, kappa, TPR and TNR. `columns` names the key's columns in the header.
 */
export function calibrationTable(slices: readonly CalibrationSlice[], columns?: readonly string[]): HTMLElement {
  if (!slices.length) return el("p", {class: "pl-muted"}, "No judge verdict has a human label yet.");
  const names = columns ?? slices[0]!.key.map((_, i) => `key ${i + 1}`);
  return table(
    {class: "pl-cal-table pl-nb-slices"},
    [...names, "pairs", "tp", "fp", "fn", "tn", "MCC", "kappa", "TPR", "TNR"],
    slices.map((s) => ({
      cells: [
        ...s.key,
        s.n,
        s.confusion.tp,
        s.confusion.fp,
        s.confusion.fn,
        s.confusion.tn,
        metricText(s.mcc),
        metricText(s.kappa),
        metricText(s.tpr),
        metricText(s.tnr)
      ]
    }))
  );
}

/**
 * MCC per slice as a dot chart, with the trust thresholds (0.6 blocks a deployment, 0.4 reports) as rules.
 * Slices whose MCC is undefined are listed under the chart with the reason.
 */
export function mccBySlice(slices: readonly CalibrationSlice[], {width}: {width?: number} = {}): HTMLElement {
  const defined = slices.filter((s) => metricValue(s.mcc) !== null);
  const undefinedOnes = slices.filter((s) => metricValue(s.mcc) === null);
  const points = defined.map((s) => ({slice: s.key.join(" · "), mcc: metricValue(s.mcc)!, n: s.n}));
  const chart = points.length
    ? Plot.plot({
        width,
        marginLeft: 180,
        height: 40 + 24 * points.length,
        x: {domain: [-1, 1], grid: true, label: "MCC"},
        y: {label: null},
        marks: [
          Plot.ruleX([0.6], {stroke: "var(--pl-ok)", strokeDasharray: "4 3"}),
          Plot.ruleX([0.4], {stroke: "var(--pl-warn)", strokeDasharray: "4 3"}),
          Plot.dot(points, {x: "mcc", y: "slice", r: (d: {n: number}) => Math.sqrt(d.n) + 2, fill: "currentColor"}),
          Plot.text(points, {x: "mcc", y: "slice", text: (d: {n: number}) => `n ${d.n}`, dx: 14, textAnchor: "start"})
        ]
      })
    : el("p", {class: "pl-muted"}, "No slice has a defined MCC.");
  return el(
    "div",
    {class: "pl-nb-mcc"},
    chart,
    ...undefinedOnes.map((s) => el("p", {class: "pl-muted"}, `${s.key.join(" · ")}: MCC ${metricText(s.mcc)}`))
  );
}

export interface CalibrationPanelOptions {
  /** Only the pairs on these traces (e.g. one model's); all when left out. */
  traces?: Iterable<string>;
  /**
   * Where the aligned labels download from, e.g. `FileAttachment("../data/calibration-labels.csv").href` and the
   * Parquet one; without them the panel offers no download.
   */
  links?: ExportLinks;
}

/**
 * The calibration page's view for `data` (`data/calibration.json`): each evaluator's trust status, and for the
 * chosen one its confusion matrix, where a click on a cell lists those traces with the judge's reasoning and the
 * annotator's explanation, its metrics with intervals and its MCC across versions.
 */
export function calibrationPanel(data: CalibrationPageData, options: CalibrationPanelOptions = {}): HTMLElement {
  const shown = options.traces ? restrictCalibration(data, options.traces) : data;
  const view = calibrationView(shown, Plot, options.links ?? {csv: "", parquet: ""});
  // Data files have hashed names only the page knows: with no links given, no download is offered at all.
  if (!options.links) view.querySelector(".pl-cal-exports")?.remove();
  return view;
}

/** Every calibration recorded over time, per evaluator and version: MCC with its interval (`data/calibration.json`). */
export function mccHistory(data: CalibrationPageData): HTMLElement {
  return mccOverTime(data, Plot);
}

/**
 * How far annotators agree per rubric criterion (`data/annotations.json`), read-only: decisions are made on the
 * Agreement page, which has the annotation API behind it.
 */
export async function agreementTable(snapshot: AnnotationSnapshot): Promise<HTMLElement> {
  return agreementView(await connectAnnotations({...snapshot, api: false}));
}

/** The semantic map of failing traces (`data/clusters.json`), brushable, above the list of the brushed traces. */
export function clusterMapView(data: ClusterPageData, {width = 640}: {width?: number} = {}): HTMLElement {
  const {map, list} = clustersView(data, width);
  return el("div", {class: "pl-nb-clusters"}, map, list);
}

/** The failure-mode registry (`data/clusters.json`'s `failureModes`): state, trend flags and volume. */
export function failureModes(modes: readonly FailureModeSummary[]): HTMLElement {
  return failureModeTable(modes);
}

/** Each failure mode's traces a day over the last 30 days, as lines with a legend (`failureModes` of `clusters.json`). */
export function failureModeTrend(
  modes: readonly FailureModeSummary[],
  {width = 640}: {width?: number} = {}
): HTMLElement {
  return trendChart(modes, Plot, width);
}

/** What the CI gate decided about the latest candidate, its pass rates over the runs, and the runs before it (`data/suite.json`). */
export function gateDecision(data: SuitePageData): HTMLElement {
  return suiteView(data, Plot);
}

/**
 * One trace as the explorer shows it: `traces` is `data/traces.arrow` read with `tableFromIPC`, `detailsUrl` the
 * address of `data/details.bin` (`FileAttachment("../data/details.bin").href`).
 */
export async function traceCard(traces: Table, detailsUrl: string, traceId: string): Promise<HTMLElement> {
  const list = traceList(traces);
  const i = list.indexOf(traceId);
  if (i < 0) return el("p", {class: "pl-muted"}, `No trace ${traceId} in this workspace.`);
  try {
    const detail = await detailReader(detailsUrl).get(traceId);
    return traceView(list.row(i), detail ? {state: "ready", detail} : {state: "missing"});
  } catch (error) {
    return traceView(list.row(i), {state: "error", error});
  }
}
