/**
 * @module The trace list as a virtualized table: only the rows in view exist in the page, so a hundred thousand
 * traces scroll as smoothly as a hundred. Click a row (or use the arrow keys) to select it.
 */
import {sortIndex} from "../core/explore/filter.js";
import {el, replace} from "./dom.js";
import {cost, count, duration, timestamp, NONE} from "./format.js";
import type {TraceList} from "./traceList.js";

const ROW_HEIGHT = 30;
const OVERSCAN = 10;

type SortKey = "startTime" | "latencyMs" | "totalTokens" | "costUsd";

export interface TraceTable {
  node: HTMLElement;
  setRows(rows: Uint32Array): void;
  /** Marks a trace as selected (scrolling to it when it is in the list) without calling `onSelect`. */
  select(traceId: string | null): void;
}

export function traceTable(list: TraceList, onSelect: (traceId: string) => void): TraceTable {
  let filtered: Uint32Array = new Uint32Array(0);
  let rows: Uint32Array = filtered;
  let sort: {key: SortKey; descending: boolean} | null = null;
  let selected: string | null = null;
  let pendingScroll = false;

  const header = el("div", {class: "pl-row pl-head"});
  const spacer = el("div", {class: "pl-spacer"});
  const body = el("div", {class: "pl-body", attrs: {tabindex: "0", role: "listbox", "aria-label": "Traces"}}, spacer);
  const empty = el("div", {class: "pl-empty"}, "No trace matches these filters.");
  const node = el("div", {class: "pl-table"}, header, body, empty);

  const headerCell = (label: string, key?: SortKey, cls = "") => {
    if (!key) return el("div", {class: cls}, label);
    const arrow = sort?.key === key ? (sort.descending ? " ↓" : " ↑") : "";
    return el("button", {class: `pl-sort ${cls}`, on: {click: () => toggleSort(key)}}, label + arrow);
  };
  const renderHeader = () =>
    replace(
      header,
      el("div", null),
      headerCell("Time UTC", "startTime"),
      headerCell("Trace"),
      headerCell("Model"),
      headerCell("Latency", "latencyMs", "pl-num"),
      headerCell("Tokens", "totalTokens", "pl-num"),
      headerCell("Cost", "costUsd", "pl-num"),
      headerCell("")
    );

  function toggleSort(key: SortKey) {
    sort = sort?.key !== key ? {key, descending: true} : sort.descending ? {key, descending: false} : null;
    applySort();
  }

  function applySort() {
    rows = sort ? sortIndex(filtered, list[sort.key], sort.descending) : filtered;
    renderHeader();
    spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    empty.style.display = rows.length ? "none" : "";
    render();
  }

  function rowNode(i: number, position: number): HTMLElement {
    const r = list.row(i);
    const flags = el(
      "div",
      {class: "pl-flags"},
      r.toolErrorCount
        ? el(
            "span",
            {class: "pl-badge pl-bad", title: `${r.toolErrorCount} failed tool call(s)`},
            `✕${r.toolErrorCount}`
          )
        : null,
      r.hasFeedback
        ? el("span", {class: "pl-badge", title: `${r.feedbackCount} feedback item(s)`}, `★${r.feedbackCount}`)
        : null
    );
    return el(
      "div",
      {
        class: `pl-row${r.traceId === selected ? " pl-selected" : ""}`,
        style: `top:${position * ROW_HEIGHT}px`,
        attrs: {role: "option", "data-trace": r.traceId},
        on: {click: () => choose(r.traceId)}
      },
      el("div", {class: `pl-dot pl-status-${r.status ?? "unset"}`, title: `status: ${r.status ?? NONE}`}),
      // Date and minute with the year: a workspace often holds traces from several years' datasets.
      el(
        "div",
        {class: "pl-mono pl-muted", title: `${timestamp(r.startTime)} UTC`},
        timestamp(r.startTime).slice(0, 16)
      ),
      // What the user asked says more about a trace than its name, which is often the same for every trace.
      el(
        "div",
        {class: "pl-trace", title: [r.name, r.firstUserMessage].filter(Boolean).join("\n")},
        el("span", {class: "pl-trace-text"}, r.firstUserMessage ?? r.traceId),
        r.name ? el("span", {class: "pl-trace-name pl-muted"}, r.name) : null
      ),
      el("div", {class: "pl-ellipsis"}, r.model ?? NONE),
      el("div", {class: "pl-num"}, duration(r.latencyMs)),
      el("div", {class: "pl-num"}, count(r.totalTokens)),
      el("div", {class: "pl-num"}, cost(r.costUsd)),
      flags
    );
  }

  function render() {
    const first = Math.max(0, Math.floor(body.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((body.scrollTop + body.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const nodes: HTMLElement[] = [];
    for (let p = first; p < last; ++p) nodes.push(rowNode(rows[p]!, p));
    replace(spacer, ...nodes);
  }

  function choose(traceId: string) {
    select(traceId);
    onSelect(traceId);
  }

  function select(traceId: string | null) {
    selected = traceId;
    // Before the table is laid out its height is 0 and it cannot scroll; the resize observer scrolls later.
    pendingScroll = body.clientHeight === 0;
    if (traceId !== null && !pendingScroll) {
      const i = list.indexOf(traceId);
      const position = i < 0 ? -1 : rows.indexOf(i);
      if (position >= 0) {
        const top = position * ROW_HEIGHT;
        if (top < body.scrollTop || top + ROW_HEIGHT > body.scrollTop + body.clientHeight) {
          body.scrollTop = top - body.clientHeight / 2;
        }
      }
    }
    render();
  }

  body.addEventListener("scroll", () => requestAnimationFrame(render), {passive: true});
  body.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    const current = selected === null ? -1 : rows.indexOf(list.indexOf(selected));
    const next = Math.min(rows.length - 1, Math.max(0, current + (event.key === "ArrowDown" ? 1 : -1)));
    if (rows.length) choose(list.traceId[rows[next]!]!);
  });
  // The body's height is only known once the table is in the page; render again whenever it changes.
  new ResizeObserver(() => (pendingScroll && body.clientHeight ? select(selected) : render())).observe(body);

  renderHeader();
  return {
    node,
    setRows(next) {
      filtered = next;
      body.scrollTop = 0;
      applySort();
    },
    select
  };
}
