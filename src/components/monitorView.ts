/**
 * @module The monitor page's parts: pass rates per evaluator with the corrected rate's band, drift flags, and
 * per-model volume, errors, latency, tokens and cost over time, from `data/monitor.json`. All text is set as text:
 * evaluator ids, model names and failure modes come from the workspace.
 */
import type * as PlotModule from "@observablehq/plot";
import {
  MIN_BUCKET,
  MIN_RELATIVE_CHANGE,
  MIN_WINDOW,
  MIN_WINDOW_BUCKETS,
  ROBUST_Z_THRESHOLD,
  WINDOW,
  Z_THRESHOLD
} from "../core/monitor/drift.js";
import type {DriftFlag, EvaluatorSeries, MonitorData, ModelSeries} from "../core/monitor/monitorData.js";
import {cell, el, table} from "./dom.js";
import {cost, count, duration, timestamp} from "./format.js";

type Plot = typeof PlotModule;
export type MonitorPageData = MonitorData & {generatedAt: number};

/** Models drawn in the charts; the rest are in the table. */
const CHARTED_MODELS = 8;

const percent = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : `${(100 * v).toFixed(digits)} %`;

function bucketLabel(ms: number, unit: MonitorData["unit"]): string {
  const iso = new Date(ms).toISOString();
  if (unit === "hour") return `${iso.slice(0, 13).replace("T", " ")}:00`;
  if (unit === "month") return iso.slice(0, 7);
  return unit === "week" ? `week of ${iso.slice(0, 10)}` : iso.slice(0, 10);
}

/** Which time placed the traces, and how many have none: said before any chart, since every chart depends on it. */
export function timeNote(data: MonitorPageData): HTMLElement {
  const {start, received, none} = data.timeBasis;
  const parts = [
    `${count(start)} of ${count(data.traces)} traces are placed at their own start time`,
    received ? `${count(received)} that carry none at the time Plumbline received them (ingested_at)` : null,
    none ? `${count(none)} have no time at all and are left out` : null
  ].filter(Boolean);
  return el(
    "p",
    {class: "pl-muted pl-monitor-time"},
    `${parts.join("; ")}. ${data.unit ? `One point per ${data.unit} (UTC). ` : ""}Snapshot of ${timestamp(data.generatedAt)} UTC.`
  );
}

/** The flags as one line each, newest first. */
export function flagList(data: MonitorPageData): HTMLElement {
  if (!data.flags.length)
    return el("p", {class: "pl-monitor-flags pl-muted"}, "No drift flag: no bucket departs from the ones before it.");
  const value = (f: DriftFlag) => (f.kind === "model cost per trace" ? cost(f.value) : percent(f.value));
  const baseline = (f: DriftFlag) => (f.kind === "model cost per trace" ? cost(f.baseline) : percent(f.baseline));
  return table(
    {class: "pl-small-table pl-monitor-flags"},
    ["When", "What", "Of", "Value", "Before", "z"],
    data.flags.map((f) => ({
      props: {attrs: {"data-flag": f.kind}},
      cells: [
        bucketLabel(f.bucket, data.unit),
        f.kind,
        f.subject,
        cell({class: "pl-num pl-bad-text"}, value(f)),
        cell({class: "pl-num"}, baseline(f)),
        cell({class: "pl-num"}, f.z.toFixed(1))
      ]
    }))
  );
}

/** The tests, as the code applies them. */
export function testNote(): HTMLElement {
  return el(
    "p",
    {class: "pl-muted pl-monitor-tests"},
    `Each point is compared with the ${WINDOW} before it. Failure rates (an evaluator's, a model's errors, a failure ` +
      `mode's share of labelled traces): two-proportion z-test against the window's pooled rate, flagged at |z| ≥ ` +
      `${Z_THRESHOLD}, tested when the point has ${MIN_BUCKET} traces and the window ${MIN_WINDOW}. Cost per trace: ` +
      `robust z = 0.6745·(x − median)/MAD of the window's values, flagged at |z| ≥ ${ROBUST_Z_THRESHOLD} and a ` +
      `change of ${100 * MIN_RELATIVE_CHANGE} % or more, tested when ${MIN_WINDOW_BUCKETS} of the window's points have a cost.`
  );
}

/** One evaluator: pass rate, the corrected pass rate and its 95 % band where calibrated, and flagged points. */
function evaluatorChart(series: EvaluatorSeries, data: MonitorPageData, Plot: Plot): HTMLElement {
  // Periods with no verdict stay in as nulls, so that the lines break across a gap instead of bridging it.
  const points = series.points.map((p) => ({...p, at: new Date(p.bucket), flagged: p.drift.tested && p.drift.flagged}));
  const tip = (p: (typeof points)[number]) =>
    `${bucketLabel(p.bucket, data.unit)}\npass rate ${percent(p.passRate)} (${p.pass} of ${p.pass + p.fail})` +
    (p.corrected !== null ? `\ncorrected ${percent(p.corrected)} [${percent(p.low)}, ${percent(p.high)}]` : "") +
    `\n${percent(p.evaluatedShare, 0)} of ${p.traces} traces evaluated` +
    (p.drift.tested ? `\nz ${p.drift.z.toFixed(1)}${p.flagged ? " · drift" : ""}` : "");
  const figure = Plot.plot({
    height: 220,
    marginLeft: 44,
    x: {type: "utc", label: null, domain: [new Date(data.buckets[0]!), new Date(data.buckets.at(-1)!)], inset: 8},
    y: {domain: [0, 1], grid: true, label: "pass rate", tickFormat: "%"},
    marks: [
      Plot.areaY(points, {x: "at", y1: "low", y2: "high", fill: "var(--pl-user)", fillOpacity: 0.15, curve: "step"}),
      Plot.line(points, {x: "at", y: "passRate", stroke: "var(--pl-muted)", strokeWidth: 1.5, marker: "dot"}),
      Plot.line(points, {x: "at", y: "corrected", stroke: "var(--pl-user)", strokeWidth: 2}),
      Plot.dot(
        points.filter((p) => p.flagged),
        {x: "at", y: "passRate", r: 7, stroke: "var(--pl-bad)", strokeWidth: 2.5, fill: "none"}
      ),
      Plot.tip(points, Plot.pointerX({x: "at", y: "passRate", title: tip}))
    ]
  });
  const flags = points.filter((p) => p.flagged).length;
  return el(
    "div",
    {class: "pl-panel pl-monitor-evaluator", attrs: {"data-evaluator": series.evaluatorId}},
    el(
      "h3",
      null,
      `${series.evaluatorId} `,
      el("span", {class: "pl-muted"}, series.evaluatorVersion),
      flags ? el("span", {class: "pl-badge pl-bad"}, `${flags} drift flag${flags === 1 ? "" : "s"}`) : null
    ),
    el(
      "p",
      {class: "pl-muted"},
      `${count(series.pass + series.fail)} verdicts (${count(series.fail)} fail${series.errors ? `, ${count(series.errors)} errors` : ""}) · ` +
        `${percent(series.evaluatedShare)} of dated traces evaluated · ` +
        (series.calibrated
          ? "blue: pass rate corrected for the evaluator's measured errors (Rogan–Gladen), with its 95 % band; grey: as judged"
          : "not calibrated at this version: pass rate as judged, uncorrected")
    ),
    figure
  );
}

export function evaluatorCharts(data: MonitorPageData, Plot: Plot): HTMLElement {
  if (!data.evaluators.length)
    return el(
      "p",
      {class: "pl-muted pl-monitor-evaluators"},
      "No evaluator has verdicts on dated traces yet. Run one with `plumbline judge run` and its pass rate shows here."
    );
  // Flagged evaluators first: the one that moved is the one to look at.
  const flagged = (s: EvaluatorSeries) => s.points.some((p) => p.drift.tested && p.drift.flagged);
  const ordered = [...data.evaluators].sort((a, b) => Number(flagged(b)) - Number(flagged(a)));
  return el("div", {class: "pl-monitor-evaluators"}, ...ordered.map((s) => evaluatorChart(s, data, Plot)));
}

type ModelRow = {model: string; at: Date; bucket: number} & Record<string, number | string | Date | null>;

function modelRows(data: MonitorPageData): {rows: ModelRow[]; charted: ModelSeries[]} {
  const charted = data.models.slice(0, CHARTED_MODELS);
  const rows = charted.flatMap((m) =>
    // Empty periods stay in as nulls, so that a line breaks across a gap instead of bridging it.
    m.points.map((p): ModelRow => ({
      model: m.model ?? "(no model)",
      at: new Date(p.bucket),
      bucket: p.bucket,
      traces: p.traces,
      errorRate: p.errorRate,
      p50: p.p50,
      p95: p.p95,
      p99: p.p99,
      tokens: p.tokens,
      costUsd: p.costUsd,
      costPerTrace: p.costPerTrace,
      costFlag: p.costDrift.tested && p.costDrift.flagged ? 1 : 0,
      errorFlag: p.errorDrift.tested && p.errorDrift.flagged ? 1 : 0
    }))
  );
  return {rows, charted};
}

function small(title: string, figure: Node): HTMLElement {
  return el("div", {class: "pl-monitor-chart"}, el("h3", null, title), figure);
}

/** Per model: traces, error rate, latency percentiles, tokens and cost over time, as Helicone shows them. */
export function modelCharts(data: MonitorPageData, Plot: Plot): HTMLElement {
  const {rows, charted} = modelRows(data);
  if (!rows.length) return el("p", {class: "pl-muted"}, "No dated trace.");
  const domain = charted.map((m) => m.model ?? "(no model)");
  const base = (label: string, extra: PlotModule.ScaleOptions = {}): PlotModule.PlotOptions => ({
    height: 180,
    marginLeft: 52,
    x: {type: "utc", label: null, domain: [new Date(data.buckets[0]!), new Date(data.buckets.at(-1)!)], inset: 6},
    y: {grid: true, label, ...extra},
    color: {domain, scheme: "tableau10"}
  });
  const line = (y: string, title: (d: ModelRow) => string) => [
    Plot.line(rows, {x: "at", y, stroke: "model", z: "model", marker: "dot"}),
    Plot.tip(rows, Plot.pointer({x: "at", y, title}))
  ];
  const flagged = (key: string, y: string) =>
    Plot.dot(
      rows.filter((r) => r[key] === 1),
      {x: "at", y, r: 7, stroke: "var(--pl-bad)", strokeWidth: 2.5, fill: "none"}
    );
  const label = (d: ModelRow) => `${d.model} · ${bucketLabel(d.bucket, data.unit)}`;
  const latency = ["p50", "p95", "p99"].flatMap((q) =>
    rows.map((r) => ({model: r.model, at: r.at, q, ms: r[q] as number | null, bucket: r.bucket}))
  );
  return el(
    "div",
    {class: "pl-monitor-models"},
    Plot.legend({color: {domain, scheme: "tableau10"}}) as Node,
    el(
      "div",
      {class: "pl-monitor-grid"},
      small(
        `Traces per ${data.unit}`,
        Plot.plot({
          ...base("traces"),
          marks: [
            Plot.rectY(rows, {x: "at", y: "traces", fill: "model", interval: data.unit!, insetLeft: 1}),
            Plot.tip(
              rows,
              Plot.pointerX({
                x: "at",
                y: "traces",
                title: (d: ModelRow) => `${label(d)}\n${count(d.traces as number)} traces`
              })
            ),
            Plot.ruleY([0])
          ]
        })
      ),
      small(
        "Error rate",
        Plot.plot({
          ...base("error traces", {tickFormat: "%"}),
          marks: [
            ...line(
              "errorRate",
              (d) => `${label(d)}\n${percent(d.errorRate as number)} of ${count(d.traces as number)}`
            ),
            flagged("errorFlag", "errorRate")
          ]
        })
      ),
      small(
        "Latency p50 · p95 · p99",
        Plot.plot({
          ...base("ms", {type: "log"}),
          marks: [
            ...(["p50", "p95", "p99"] as const).map((q, k) =>
              Plot.line(
                latency.filter((d) => d.q === q),
                {x: "at", y: "ms", stroke: "model", z: "model", strokeDasharray: ["none", "4 2", "1 2"][k]}
              )
            ),
            Plot.tip(
              latency,
              Plot.pointer({
                x: "at",
                y: "ms",
                title: (d: {model: string; q: string; ms: number | null; bucket: number}) =>
                  `${d.model} · ${bucketLabel(d.bucket, data.unit)}\n${d.q} ${duration(d.ms)}`
              })
            )
          ]
        })
      ),
      small(
        "Tokens",
        Plot.plot({...base("tokens"), marks: line("tokens", (d) => `${label(d)}\n${count(d.tokens as number)} tokens`)})
      ),
      small(
        "Cost",
        Plot.plot({...base("USD"), marks: line("costUsd", (d) => `${label(d)}\n${cost(d.costUsd as number)}`)})
      ),
      small(
        "Cost per trace",
        Plot.plot({
          ...base("USD per trace"),
          marks: [
            ...line("costPerTrace", (d) => `${label(d)}\n${cost(d.costPerTrace as number)} per trace`),
            flagged("costFlag", "costPerTrace")
          ]
        })
      )
    ),
    el("p", {class: "pl-muted"}, "Latency: solid p50, dashed p95, dotted p99, on a log scale.")
  );
}

/** Every model's totals, the uncharted ones included. */
export function modelTable(data: MonitorPageData): HTMLElement {
  const total = (m: ModelSeries, key: "traces" | "errors" | "tokens" | "costUsd") => {
    const known = m.points.filter((p) => p[key] !== null);
    return known.length ? known.reduce((s, p) => s + p[key]!, 0) : null;
  };
  const num = {class: "pl-num"};
  return table(
    {class: "pl-small-table pl-monitor-model-table"},
    ["Model", ...["Traces", "Error rate", "Tokens", "Cost"].map((h) => cell(num, h))],
    data.models.map((m) => ({
      cells: [
        m.model ?? "(no model)",
        cell(num, count(m.traces)),
        cell(num, percent(m.traces ? total(m, "errors")! / m.traces : null)),
        cell(num, count(total(m, "tokens"))),
        cell(num, cost(total(m, "costUsd")))
      ]
    }))
  );
}

/** Each failure mode's share of the labelled traces over time, by the traces' own time. */
export function failureModeChart(data: MonitorPageData, Plot: Plot): HTMLElement {
  const rows = data.failureModes.slice(0, CHARTED_MODELS).flatMap((m) =>
    m.points.map((p) => ({
      mode: m.failureMode,
      at: new Date(p.bucket),
      bucket: p.bucket,
      share: p.labelled ? p.failing / p.labelled : null,
      failing: p.failing,
      labelled: p.labelled,
      flagged: p.drift.tested && p.drift.flagged
    }))
  );
  if (!rows.some((r) => r.share !== null))
    return el("p", {class: "pl-muted"}, "No dated trace has a human label with a failure mode yet.");
  return el(
    "div",
    {class: "pl-monitor-failure-modes"},
    Plot.plot({
      height: 200,
      marginLeft: 44,
      x: {type: "utc", label: null, inset: 6},
      y: {domain: [0, 1], grid: true, label: "share of labelled traces", tickFormat: "%"},
      color: {legend: true, scheme: "tableau10"},
      marks: [
        Plot.line(rows, {x: "at", y: "share", stroke: "mode", marker: "dot"}),
        Plot.dot(
          rows.filter((r) => r.flagged),
          {x: "at", y: "share", r: 7, stroke: "var(--pl-bad)", strokeWidth: 2.5, fill: "none"}
        ),
        Plot.tip(
          rows,
          Plot.pointer({
            x: "at",
            y: "share",
            title: (d: (typeof rows)[number]) =>
              `${d.mode} · ${bucketLabel(d.bucket, data.unit)}\n${d.failing} of ${d.labelled} labelled traces`
          })
        )
      ]
    }) as Node
  );
}
