/** @module The overview page's parts: headline numbers and small tables, from `data/summary.json`. */
import type {WorkspaceSummary} from "../core/explore/summary.js";
import {pageHref} from "./pageLink.js";
import * as Plot from "@observablehq/plot";
import {cell, el, table as domTable} from "./dom.js";
import {cost, count, timestamp} from "./format.js";

export type {WorkspaceSummary};

function card(label: string, value: string, note?: string, cls = ""): HTMLElement {
  return el(
    "div",
    {class: "pl-card"},
    el("div", {class: "pl-metric-label"}, label),
    el("div", {class: `pl-card-value ${cls}`}, value),
    note ? el("div", {class: "pl-muted"}, note) : null
  );
}

export function headline(s: WorkspaceSummary): HTMLElement {
  const errorTraces = s.byStatus.find((d) => d.status === "error")?.traces ?? 0;
  return el(
    "div",
    {class: "pl-cards"},
    card("Traces", count(s.traces), timeRange(s)),
    card("Spans", count(s.spans), `${count(s.messages)} messages`),
    card("Tool calls", count(s.toolCalls), `${count(s.toolErrors)} failed`),
    card(
      "Error traces",
      count(errorTraces),
      s.traces ? `${((100 * errorTraces) / s.traces).toFixed(1)}% of traces` : undefined,
      errorTraces ? "pl-bad-text" : ""
    ),
    card("Feedback", count(s.feedback), "scores, labels and comments"),
    card(
      "Last ingest (UTC)",
      timestamp(s.lastIngest),
      `${count(s.sources)} source file${s.sources === 1 ? "" : "s"}`,
      "pl-card-time"
    )
  );
}

/** A small table of the Overview: one column per [label, value, numeric?], numbers aligned right. */
export function table<T>(
  rows: T[],
  columns: [label: string, value: (row: T) => string | Node, numeric?: boolean][]
): HTMLElement {
  const props = (numeric?: boolean) => ({class: numeric ? "pl-num" : ""});
  return domTable(
    {class: "pl-small-table"},
    columns.map(([label, , numeric]) => cell(props(numeric), label)),
    rows.map((row) => ({cells: columns.map(([, value, numeric]) => cell(props(numeric), value(row)))}))
  );
}

export function tracesLink(label: string, hash = ""): HTMLAnchorElement {
  return el("a", {attrs: {href: pageHref("traces", hash)}}, label);
}

export function note(text: string): HTMLElement {
  return el("p", {class: "pl-muted"}, text);
}

export {cost, count};

const dated = (s: WorkspaceSummary) => s.byDay.reduce((sum, d) => sum + d.traces, 0);

function timeRange(s: WorkspaceSummary): string {
  const range = `${timestamp(s.firstTrace).slice(0, 10)} → ${timestamp(s.lastTrace).slice(0, 10)}`;
  const n = dated(s);
  if (n === 0) return "none has a start time";
  return n === s.traces ? range : `${count(n)} dated, ${range}`;
}

/**
 * Traces over time, when the times say something: with most traces undated (datasets such as τ-bench record no
 * times), a series of the few dated ones over years would read as the workspace's history. Then the chart shows
 * which formats are dated and which are not, and says so.
 */
export function timeline(s: WorkspaceSummary): HTMLElement {
  const n = dated(s);
  if (n * 2 < s.traces) return undatedChart(s, n);
  // Bars as wide as the data allows: a day for a few weeks of traces, a week or a month for longer spans, so a
  // workspace whose traces span years still shows its bars instead of hairlines.
  const days = s.byDay.map((d) => d.day);
  const spanDays = (Math.max(...days) - Math.min(...days)) / 864e5;
  const interval = spanDays <= 90 ? "day" : spanDays <= 730 ? "week" : "month";
  return el(
    "div",
    {class: "pl-timeline"},
    Plot.plot({
      height: 220,
      marginLeft: 48,
      x: {type: "utc", label: null},
      y: {grid: true, label: `traces per ${interval}`},
      color: {domain: ["ok", "error", "unset"], range: ["#3b8f5a", "#c8413a", "#9aa0a6"], legend: true},
      marks: [
        // The summed channel is y, which Plot's types leave out of binX's inputs.
        Plot.rectY(
          s.byDay,
          Plot.binX({y: "sum"}, {
            x: "day",
            y: "traces",
            fill: "status",
            interval,
            insetLeft: 1,
            tip: true
          } as Plot.BinXInputs<Plot.RectYOptions>)
        ),
        Plot.ruleY([0])
      ]
    }),
    n < s.traces
      ? note(`${count(s.traces - n)} of ${count(s.traces)} traces have no start time and are not shown here.`)
      : null
  );
}

function undatedChart(s: WorkspaceSummary, n: number): HTMLElement {
  const rows = s.byFormat.flatMap((f) => [
    {format: f.format, kind: "dated", traces: f.traces - f.undated},
    {format: f.format, kind: "undated", traces: f.undated}
  ]);
  const undatedFormats = s.byFormat.filter((f) => f.undated === f.traces).map((f) => f.format);
  return el(
    "div",
    {class: "pl-timeline pl-undated"},
    el(
      "p",
      {class: "pl-undated-note"},
      n === 0
        ? `None of the ${count(s.traces)} traces has a start time, so there is nothing to plot over time.`
        : `${count(s.traces - n)} of ${count(s.traces)} traces (${Math.round((100 * (s.traces - n)) / s.traces)}%) have no start time` +
            (undatedFormats.length ? ` (${undatedFormats.join(", ")} record none)` : "") +
            `: a series of the other ${count(n)} would not be this workspace's history, so none is drawn.`
    ),
    Plot.plot({
      height: 40 + 26 * s.byFormat.length,
      marginLeft: 110,
      x: {grid: true, label: "traces", tickFormat: "s"},
      y: {label: null, domain: s.byFormat.map((f) => f.format)},
      color: {domain: ["dated", "undated"], range: ["#3b6ea8", "#c9ccd1"], legend: true},
      marks: [Plot.barX(rows, {x: "traces", y: "format", fill: "kind", tip: true}), Plot.ruleX([0])]
    })
  );
}
