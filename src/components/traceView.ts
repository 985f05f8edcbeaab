/**
 * @module One trace: what it is (name, ids, status, model, prompt version), what it cost (latency, tokens, cost),
 * what people said about it (feedback), then its conversation or its span tree.
 */
import type {TraceDetail} from "../core/explore/detail.js";
import {conversationView} from "./conversationView.js";
import {el, replace} from "./dom.js";
import {cost, count, duration, text, timestamp} from "./format.js";
import {spanTreeView} from "./spanTreeView.js";
import type {TraceRow} from "./traceList.js";

export type DetailState =
  {state: "loading"} | {state: "ready"; detail: TraceDetail} | {state: "missing"} | {state: "error"; error: unknown};

let tab: "conversation" | "spans" = "conversation";

function metric(label: string, value: string, cls = ""): HTMLElement {
  return el(
    "div",
    {class: "pl-metric"},
    el("div", {class: "pl-metric-label"}, label),
    el("div", {class: `pl-metric-value ${cls}`}, value)
  );
}

function header(row: TraceRow): HTMLElement {
  return el(
    "div",
    {class: "pl-view-head"},
    el(
      "div",
      {class: "pl-title-line"},
      el("span", {class: `pl-status pl-status-${row.status ?? "unset"}`}, row.status ?? "unset"),
      el("h2", {class: "pl-view-title"}, row.name ?? "(unnamed trace)")
    ),
    el(
      "div",
      {class: "pl-ids"},
      el("span", {class: "pl-mono"}, row.traceId),
      row.sessionId
        ? el("span", null, el("span", {class: "pl-muted"}, "session "), el("span", {class: "pl-mono"}, row.sessionId))
        : null,
      el("span", {class: "pl-chip"}, text(row.format)),
      row.model ? el("span", {class: "pl-chip"}, row.model) : null,
      row.promptVersion ? el("span", {class: "pl-chip"}, `prompt ${row.promptVersion}`) : null
    ),
    el(
      "div",
      {class: "pl-metrics"},
      metric("Start (UTC)", timestamp(row.startTime)),
      metric("Latency", duration(row.latencyMs)),
      metric("Tokens in / out", `${count(row.inputTokens)} / ${count(row.outputTokens)}`),
      metric("Total tokens", count(row.totalTokens)),
      metric("Cost", cost(row.costUsd)),
      metric("Spans", count(row.spanCount)),
      metric("Messages", count(row.messageCount)),
      metric(
        "Tool calls",
        `${count(row.toolCallCount)}${row.toolErrorCount ? ` (${row.toolErrorCount} failed)` : ""}`,
        row.toolErrorCount ? "pl-bad-text" : ""
      )
    )
  );
}

function feedbackNode(detail: TraceDetail): HTMLElement | null {
  if (!detail.feedback.length) return null;
  return el(
    "div",
    {class: "pl-feedback"},
    el("span", {class: "pl-label"}, "Feedback"),
    ...detail.feedback.map((f) =>
      el(
        "span",
        {class: "pl-chip", title: f.comment ?? ""},
        `${f.name}: ${f.label ?? (f.value === null ? "—" : String(f.value))}`,
        el("span", {class: "pl-muted"}, ` · ${f.source}`),
        f.comment ? el("span", {class: "pl-muted"}, ` · “${f.comment}”`) : null
      )
    )
  );
}

export function traceView(row: TraceRow, state: DetailState): HTMLElement {
  const content = el("div", {class: "pl-tab-body"});
  const node = el("div", {class: "pl-view"}, header(row));
  if (state.state !== "ready") {
    const message =
      state.state === "loading"
        ? "Loading trace…"
        : state.state === "missing"
          ? "This trace is not in the detail file: the site was built from another state of the workspace. Rebuild it."
          : `Could not load this trace: ${state.error instanceof Error ? state.error.message : String(state.error)}`;
    node.append(el("p", {class: state.state === "loading" ? "pl-muted" : "pl-bad-text"}, message));
    return node;
  }
  const {detail} = state;
  const buttons = {
    // What the conversation shows: the messages (the Messages figure above) and the tool calls between them.
    conversation: el(
      "button",
      {class: "pl-tab"},
      `Conversation (${plural(detail.messages.length, "message")}${detail.toolCalls.length ? ` + ${plural(detail.toolCalls.length, "tool call")}` : ""})`
    ),
    spans: el("button", {class: "pl-tab"}, `Spans (${detail.spans.length})`)
  };
  const show = (next: typeof tab, remember = true) => {
    if (remember) tab = next;
    for (const [name, button] of Object.entries(buttons)) button.classList.toggle("pl-tab-active", name === next);
    replace(content, next === "conversation" ? conversationView(detail) : spanTreeView(detail));
  };
  buttons.conversation.addEventListener("click", () => show("conversation"));
  buttons.spans.addEventListener("click", () => show("spans"));
  const conversationEmpty = !detail.messages.length && !detail.toolCalls.length;
  node.append(
    ...[feedbackNode(detail), el("div", {class: "pl-tabs"}, buttons.conversation, buttons.spans), content].filter(
      (n) => n !== null
    )
  );
  // A trace with spans but no messages (a bare OTLP export) opens on its spans, without changing the choice.
  show(tab === "conversation" && conversationEmpty && detail.spans.length ? "spans" : tab, false);
  return node;
}

function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
}
