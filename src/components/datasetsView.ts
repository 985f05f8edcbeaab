/**
 * @module The datasets page's view: each dataset with its versions (a click on a version lists its cases: input,
 * expected output and behaviour, failure mode, why it was added, and the full conversation it came from), and the
 * completed reviews that led nowhere. Every piece of case and review text is set as text.
 */
import type {CaseView, DatasetsPageData, DatasetView, NowhereReview} from "../core/datasets/pageData.js";
import {REVIEW_OUTCOMES} from "../core/datasets/outcomeKinds.js";
import {cell, el, replace, rowGroup, table, tableRow, type Row} from "./dom.js";

const KIND_TEXT: Record<CaseView["kind"], string> = {
  confirmed_failure: "confirmed failure",
  new_topic: "new topic",
  long_output: "long output",
  edge_case: "edge case",
  regression: "regression",
  other: "other"
};

const when = (iso: string) => iso.slice(0, 16).replace("T", " ");

function field(label: string, value: string | null, cls = ""): HTMLElement | null {
  if (value === null || value === "") return null;
  return el(
    "div",
    {class: `pl-ds-field ${cls}`},
    el("div", {class: "pl-label"}, label),
    el("div", {class: "pl-ds-text"}, value)
  );
}

function contextView(c: CaseView): HTMLElement {
  const details = el(
    "details",
    {class: "pl-ds-context"},
    el(
      "summary",
      null,
      `Full context: ${c.messages.length} message${c.messages.length === 1 ? "" : "s"}, ${c.toolCalls.length} tool call${c.toolCalls.length === 1 ? "" : "s"}, status ${c.status}`
    )
  );
  // Built on first open: a dataset of long conversations would otherwise fill the page with hidden nodes.
  details.addEventListener("toggle", () => {
    if (!details.open || details.dataset.filled) return;
    details.dataset.filled = "1";
    details.append(
      ...c.messages.map((m) =>
        el(
          "div",
          {class: `pl-ds-message pl-ds-${m.role}`},
          el("div", {class: "pl-label"}, m.name ? `${m.role} · ${m.name}` : m.role),
          el("div", {class: "pl-ds-text"}, m.content ?? "—")
        )
      ),
      ...c.toolCalls.map((t) =>
        el(
          "div",
          {class: "pl-ds-message pl-ds-tool"},
          el("div", {class: "pl-label"}, `tool call · ${t.name}${t.success === false ? " · failed" : ""}`),
          el("div", {class: "pl-ds-text pl-mono"}, `${t.arguments ?? ""} → ${t.result ?? "—"}`)
        )
      )
    );
  });
  return details;
}

const KIND_PLURAL: Record<CaseView["kind"], string> = {
  confirmed_failure: "confirmed failures",
  new_topic: "new topics",
  long_output: "long outputs",
  edge_case: "edge cases",
  regression: "regressions",
  other: "other"
};

const CASE_COLUMNS = ["", "Kind", "Case", "Failure mode", "Input", "Added"];

/** The input on one line, for the row; the whole of it is in the expanded row. */
const oneLine = (text: string | null) => (text ?? "—").replace(/\s+/g, " ");

/**
 * One case as a `tbody` of two rows: a compact line to scan, and its details (input, expected output and
 * behaviour, why it was added, the full conversation), shown when the line is clicked or Enter pressed on it.
 */
function caseRows(c: CaseView): HTMLTableSectionElement {
  const toggle = el("span", {class: "pl-ds-toggle", attrs: {"aria-hidden": "true"}}, "▸");
  const detail = tableRow({
    props: {class: "pl-ds-case-detail", attrs: {hidden: ""}},
    cells: [
      cell(
        {attrs: {colspan: String(CASE_COLUMNS.length)}},
        field("Input", c.input, "pl-ds-input"),
        field("Expected output", c.expectedOutput, "pl-ds-expected-output"),
        field("Expected behaviour", c.expectedBehaviour, "pl-ds-expected-behaviour"),
        el(
          "div",
          {class: "pl-muted pl-ds-why"},
          `Added by ${c.addedBy} on ${when(c.addedAt)}: ${c.reason}`,
          c.sourceTraceId && c.sourceTraceId !== c.caseId ? ` (trace ${c.sourceTraceId})` : "",
          c.criterion ? ` · criterion ${c.criterion}` : ""
        ),
        contextView(c)
      )
    ]
  });
  const line = tableRow({
    props: {class: "pl-ds-case-line", attrs: {tabindex: "0", "aria-expanded": "false"}},
    cells: [
      toggle,
      el("span", {class: `pl-badge pl-ds-kind pl-ds-${c.kind}`}, KIND_TEXT[c.kind]),
      cell({class: "pl-mono"}, c.caseId),
      c.failureMode ?? "",
      cell({class: "pl-ds-input-line", title: c.input ?? ""}, oneLine(c.input)),
      cell({class: "pl-muted"}, `${c.addedBy}, ${when(c.addedAt).slice(0, 10)}`)
    ]
  });
  const flip = () => {
    const open = detail.hasAttribute("hidden");
    detail.toggleAttribute("hidden", !open);
    line.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "▾" : "▸";
  };
  line.addEventListener("click", flip);
  line.addEventListener("keydown", (event) => {
    if (event.key === "Enter") flip();
  });
  return rowGroup({class: "pl-ds-case", attrs: {"data-case": c.caseId, "data-kind": c.kind}}, line, detail);
}

function datasetPanel(dataset: DatasetView, data: DatasetsPageData): HTMLElement {
  const cases = el("div", {class: "pl-ds-cases"});
  const rows = dataset.versions.map((v) =>
    tableRow({
      props: {class: "pl-ds-version", attrs: {"data-version": String(v.version), tabindex: "0"}},
      cells: [
        cell({class: "pl-num"}, `v${v.version}`),
        when(v.createdAt),
        v.createdBy,
        cell({class: "pl-mono"}, v.source),
        cell({class: "pl-num"}, String(v.cases.length)),
        cell({class: "pl-num"}, `+${v.added} −${v.removed}`),
        v.note ?? ""
      ]
    })
  );
  const show = (index: number) => {
    const v = dataset.versions[index]!;
    rows.forEach((row, i) => row.classList.toggle("pl-selected", i === index));
    const list = v.cases.map((key) => data.cases[key]).filter((c): c is CaseView => c !== undefined);
    const byKind = new Map<CaseView["kind"], number>();
    for (const c of list) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
    replace(
      cases,
      el("h3", null, `${dataset.name}@${v.version}: ${list.length} case${list.length === 1 ? "" : "s"}`),
      el(
        "p",
        {class: "pl-muted pl-ds-kinds"},
        [...byKind].map(([k, n]) => `${n} ${n === 1 ? KIND_TEXT[k] : KIND_PLURAL[k]}`).join(", ") || "no cases"
      ),
      table({class: "pl-small-table pl-ds-case-table"}, CASE_COLUMNS, list.map(caseRows))
    );
  };
  rows.forEach((row, i) => {
    row.addEventListener("click", () => show(i));
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") show(i);
    });
  });
  show(dataset.versions.length - 1);
  return el(
    "section",
    {class: "pl-ds-dataset", attrs: {"data-dataset": dataset.name}},
    el("h2", null, dataset.name),
    table(
      {class: "pl-small-table pl-ds-versions"},
      ["Version", "Created (UTC)", "By", "Source", "Cases", "Change", "Note"],
      rows
    ),
    cases
  );
}

export function datasetsView(data: DatasetsPageData): HTMLElement {
  if (!data.datasets.length) {
    return el(
      "p",
      {class: "pl-muted pl-ds-empty"},
      "No datasets yet. Promote reviewed traces with ",
      el("code", null, "plumbline dataset promote <name> --queue <id> --by <you>"),
      ", or import cases with ",
      el("code", null, "plumbline dataset import cases.jsonl --name <name> --by <you>"),
      "."
    );
  }
  return el("div", {class: "pl-datasets"}, ...data.datasets.map((d) => datasetPanel(d, data)));
}

function nowhereRow(r: NowhereReview): Row {
  const said = r.outcomes.map((o) => `none, by ${o.by} on ${when(o.at)}${o.note ? `: ${o.note}` : ""}`).join("; ");
  return {
    props: {attrs: {"data-trace": r.traceId, "data-queue": r.queueId}},
    cells: [
      r.queueName,
      cell({class: "pl-mono"}, r.traceId),
      r.criterion,
      r.annotators.join(", "),
      said || "no outcome recorded"
    ]
  };
}

export function reviewsView(data: DatasetsPageData): HTMLElement {
  const {reviews} = data;
  const led = REVIEW_OUTCOMES.filter((k) => k !== "none")
    .map((k) => `${reviews.byOutcome[k]} ${k.replace(/_/g, " ")}`)
    .join(", ");
  const summary = el(
    "p",
    {class: "pl-ds-review-summary"},
    `${reviews.completed} completed review${reviews.completed === 1 ? "" : "s"}; ${reviews.ledNowhere} led nowhere. With an outcome: ${led}.`
  );
  if (!reviews.nowhere.length)
    return el(
      "div",
      {class: "pl-ds-reviews"},
      summary,
      el("p", {class: "pl-muted"}, "Every completed review led somewhere.")
    );
  return el(
    "div",
    {class: "pl-ds-reviews"},
    summary,
    table(
      {class: "pl-small-table pl-ds-nowhere"},
      ["Queue", "Trace", "Criterion", "Annotators", "Outcome"],
      reviews.nowhere.map(nowhereRow)
    ),
    el(
      "p",
      {class: "pl-muted"},
      "Record what a review led to with ",
      el("code", null, "plumbline review outcome <trace-id> --outcome <kind> --by <you>"),
      "."
    )
  );
}

export function problemsView(problems: readonly string[]): HTMLElement | null {
  if (!problems.length) return null;
  return el("ul", {class: "pl-problems"}, ...problems.map((p) => el("li", {class: "pl-bad-text"}, p)));
}
