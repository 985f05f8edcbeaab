/**
 * @module A trace's spans as an indented tree with a waterfall of their durations. Click a span for its status,
 * model, tokens and attributes.
 */
import type {DetailSpan, TraceDetail} from "../core/explore/detail.js";
import {spanTree} from "../core/explore/spanTree.js";
import {el} from "./dom.js";
import {cost, count, duration, NONE} from "./format.js";

const INDENT_PX = 14;

function spanDetail(span: DetailSpan): HTMLElement {
  const fact = (label: string, value: string) => el("div", null, el("span", {class: "pl-muted"}, `${label} `), value);
  return el(
    "div",
    {class: "pl-span-detail"},
    el(
      "div",
      {class: "pl-facts"},
      fact("status", span.status),
      fact("model", span.model ?? NONE),
      fact("tokens in/out", `${count(span.inputTokens)} / ${count(span.outputTokens)}`),
      fact("cost", cost(span.costUsd)),
      fact("span", span.spanId)
    ),
    span.statusMessage ? el("div", {class: "pl-code pl-error"}, span.statusMessage) : null,
    el("div", {class: "pl-label"}, "Attributes"),
    el("div", {class: "pl-code"}, JSON.stringify(span.attributes ?? {}, null, 2))
  );
}

export function spanTreeView(detail: TraceDetail): HTMLElement {
  const tree = spanTree(detail.spans);
  const extent = tree.start !== null && tree.end !== null ? Math.max(tree.end - tree.start, 1e-3) : null;
  const rows = tree.rows.map(({span, depth}) => {
    const left = extent !== null && span.startTime !== null ? ((span.startTime - tree.start!) / extent) * 100 : null;
    const width = left !== null && span.durationMs !== null ? Math.max((span.durationMs / extent!) * 100, 0.4) : null;
    const open = el("div", {class: "pl-span-open"});
    const row = el(
      "div",
      {
        class: `pl-span${span.status === "error" ? " pl-span-error" : ""}`,
        attrs: {tabindex: "0", "data-span-id": span.spanId},
        on: {
          click: () => {
            // The open span is the selected one: the annotation page scopes a label to it.
            for (const other of row.parentElement?.parentElement?.querySelectorAll(".pl-span-selected") ?? []) {
              if (other !== row) other.classList.remove("pl-span-selected");
            }
            if (open.firstChild) open.replaceChildren();
            else open.append(spanDetail(span));
            row.classList.toggle("pl-span-selected", open.firstChild !== null);
          }
        }
      },
      el(
        "div",
        {class: "pl-span-name", style: `padding-left:${depth * INDENT_PX}px`},
        el("span", {class: `pl-kind pl-kind-${span.kind}`}, span.kind),
        el("span", {class: "pl-ellipsis", title: span.name}, span.name || NONE)
      ),
      el("div", {class: "pl-num pl-muted"}, duration(span.durationMs)),
      el(
        "div",
        {class: "pl-wf"},
        left !== null && width !== null
          ? el("div", {
              class: `pl-bar pl-kind-${span.kind}`,
              style: `left:${left}%;width:${Math.min(width, 100 - left)}%`
            })
          : null
      )
    );
    return el("div", null, row, open);
  });
  return el(
    "div",
    {class: "pl-spans"},
    el(
      "div",
      {class: "pl-span pl-span-head"},
      el("div", null, "Span"),
      el("div", {class: "pl-num"}, "Duration"),
      el("div", {class: "pl-muted"}, extent !== null ? `0 — ${duration(extent)}` : "no timing")
    ),
    ...rows,
    rows.length ? null : el("p", {class: "pl-muted"}, "This trace has no spans.")
  );
}
