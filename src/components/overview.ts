/** @module The overview page's parts: headline numbers and small tables, from `data/summary.json`. */
import type {WorkspaceSummary} from "../core/explore/summary.js";
import {pageHref} from "./pageLink.js";
import {el} from "./dom.js";
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
    card("Traces", count(s.traces), `${timestamp(s.firstTrace)} → ${timestamp(s.lastTrace)}`),
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

export function table<T>(
  rows: T[],
  columns: [label: string, value: (row: T) => string | Node, numeric?: boolean][]
): HTMLElement {
  return el(
    "table",
    {class: "pl-small-table"},
    el(
      "thead",
      null,
      el("tr", null, ...columns.map(([label, , numeric]) => el("th", {class: numeric ? "pl-num" : ""}, label)))
    ),
    el(
      "tbody",
      null,
      ...rows.map((row) =>
        el("tr", null, ...columns.map(([, value, numeric]) => el("td", {class: numeric ? "pl-num" : ""}, value(row))))
      )
    )
  );
}

export function tracesLink(label: string, hash = ""): HTMLAnchorElement {
  return el("a", {attrs: {href: pageHref("traces", hash)}}, label);
}

export function note(text: string): HTMLElement {
  return el("p", {class: "pl-muted"}, text);
}

export {cost, count};
